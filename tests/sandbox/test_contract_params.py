"""Contract, issue 16 points 4, 5 and 6: request headers and query parameters.

Each test names the dataserver code (github.com/zotero/dataserver) it mirrors.
"""

from __future__ import annotations

import uuid

from conftest import ApiTarget


def _tag() -> str:
    return f"params-{uuid.uuid4().hex[:8]}"


# -- 4. Expect: 100-continue --------------------------------------------------------------


def test_a_request_with_an_expect_header_is_417_and_not_applied(zotero_api: ApiTarget) -> None:
    # controllers/ApiController.php, __construct: `if (!empty($_SERVER['HTTP_EXPECT']))`
    # -> "HTTP/1.1 417 Expectation Failed", "Expect header is not supported".
    tag = _tag()
    response = zotero_api.lib(
        "POST",
        "/items",
        json=[{"itemType": "book", "title": "Expecting", "tags": [{"tag": tag}]}],
        headers={"Expect": "100-continue"},
    )
    assert response.status_code == 417
    assert zotero_api.lib("GET", "/items", params={"tag": tag}).json() == []


# -- 5. itemKey does not bring back trashed items ------------------------------------------


def test_item_key_leaves_trashed_items_out_without_include_trashed(zotero_api: ApiTarget) -> None:
    # model/Items.inc.php, Items::search: `if (!$includeTrashed) ... AND DI.itemID IS NULL`
    # applies whatever else is asked, itemKey included.
    live = zotero_api.create()
    trashed = zotero_api.create(deleted=1)
    keys = f"{live['key']},{trashed['key']}"
    plain = zotero_api.lib("GET", "/items", params={"itemKey": keys}).json()
    assert [i["key"] for i in plain] == [live["key"]]
    everything = zotero_api.lib("GET", "/items", params={"itemKey": keys, "includeTrashed": 1})
    assert sorted(i["key"] for i in everything.json()) == sorted(keys.split(","))


# -- 6. parameters the server checks --------------------------------------------------------


def test_an_unknown_qmode_is_400_even_without_q(zotero_api: ApiTarget) -> None:
    # model/API.inc.php, Zotero_API::parseQueryParams, case 'qmode' (lower-cased, for
    # items 'titlecreatoryear' or 'everything'), checked whether or not q is given.
    assert zotero_api.lib("GET", "/items", params={"qmode": "fuzzy"}).status_code == 400
    ok = zotero_api.lib("GET", "/items", params={"qmode": "TitleCreatorYear", "q": "x"})
    assert ok.status_code == 200


def test_an_unknown_item_type_filter_is_400(zotero_api: ApiTarget) -> None:
    # Items::search: "Invalid itemType '<name>'" for each name of the itemType filter.
    assert zotero_api.lib("GET", "/items", params={"itemType": "notAType"}).status_code == 400
    either = zotero_api.lib("GET", "/items", params={"itemType": "book || notAType"})
    assert either.status_code == 400
    assert zotero_api.lib("GET", "/items", params={"itemType": "-book"}).status_code == 200
    # Zotero_API::getSearchParamValues ORs only on "\s+||\s+": "book||report" is one name.
    unspaced = zotero_api.lib("GET", "/items", params={"itemType": "book||report"})
    assert unspaced.status_code == 400


def test_format_versions_or_keys_on_a_single_item_is_400(zotero_api: ApiTarget) -> None:
    # Zotero_API::isValidFormatForAction: keys and versions only `if (!$singleObject)`.
    key = zotero_api.create()["key"]
    for fmt in ("versions", "keys"):
        response = zotero_api.lib("GET", f"/items/{key}", params={"format": fmt})
        assert response.status_code == 400, fmt


def test_an_explicit_limit_is_honoured_for_keys_and_versions(zotero_api: ApiTarget) -> None:
    # Zotero_API::parseQueryParams, case 'limit': getLimitMax() is 0 (no maximum) for
    # keys and versions and the default limit 0 (everything), but a limit given is kept.
    tag = _tag()
    zotero_api.post_items([{"itemType": "book", "tags": [{"tag": tag}]} for _ in range(3)])
    everything = zotero_api.lib("GET", "/items", params={"tag": tag, "format": "keys"})
    assert len(everything.text.split()) == 3
    keys = zotero_api.lib("GET", "/items", params={"tag": tag, "format": "keys", "limit": 2})
    assert len(keys.text.split()) == 2
    versions = zotero_api.lib(
        "GET", "/items", params={"tag": tag, "format": "versions", "limit": 1, "start": 1}
    )
    assert len(versions.json()) == 1


def test_a_limit_that_is_no_positive_number_means_the_default(zotero_api: ApiTarget) -> None:
    # case 'limit': "Use default if less than 0 or invalid" ((int) cast, no 400).
    for limit in ("many", "0", "-3"):
        response = zotero_api.lib("GET", "/items", params={"limit": limit})
        assert response.status_code == 200, limit


def test_a_malformed_bearer_header_is_400_not_403(zotero_api: ApiTarget) -> None:
    # ApiController::__construct: an Authorization value starting with "bearer" must
    # match `^bearer +([a-z0-9]+)$`i, else e400("Invalid Authorization header format").
    for value in ("Bearer", "Bearer not-a-key!", "bearer a b"):
        response = zotero_api.lib("GET", "/items", key=False, headers={"Authorization": value})
        assert response.status_code == 400, value
        assert "Invalid Authorization header format" in response.text
    other_scheme = zotero_api.lib(
        "GET", "/items", key=False, headers={"Authorization": "Basic dXNlcjpwYXNz"}
    )
    assert other_scheme.status_code == 403  # ignored: no key at all


def test_a_key_header_and_a_different_key_parameter_are_400(zotero_api: ApiTarget) -> None:
    # ApiController::__construct: "Zotero-API-Key header and 'key' parameter differ".
    response = zotero_api.lib("GET", "/items", params={"key": "someOtherKey000000000000"})
    assert response.status_code == 400


def test_an_invalid_api_version_is_400(zotero_api: ApiTarget) -> None:
    # Zotero_API::parseQueryParams, case 'v': "Invalid API version '<v>'"; and a header
    # that disagrees with ?v= is "Zotero-API-Version header does not match 'v'".
    response = zotero_api.lib("GET", "/items", headers={"Zotero-API-Version": "4"})
    assert response.status_code == 400
    assert "Invalid API version" in response.text
    mismatch = zotero_api.lib("GET", "/items", params={"v": 2})
    assert mismatch.status_code == 400


def test_api_version_2_is_not_answered_as_version_3(zotero_api: ApiTarget) -> None:
    # The server serves v2 (Atom by default, v2 property names); the sandbox does not
    # emulate v1/v2 and says so rather than answering in v3 under a v2 label.
    sb = zotero_api.require_sandbox()
    response = zotero_api.lib("GET", "/items", headers={"Zotero-API-Version": "2"})
    assert response.status_code == 400
    assert "not emulated" in response.text
    assert sb.count(status=400) >= 1
