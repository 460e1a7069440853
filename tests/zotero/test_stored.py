"""Items are sent in the form Zotero's server stores them (syncd.zotero.stored)."""

from __future__ import annotations

from syncd.zotero.stored import stored_form


def test_field_values_lose_the_padding_php_trim_removes() -> None:
    item = {"itemType": "book", "title": " T \t", "volume": "\x0b7\x00", "place": "\u00a0P\u00a0"}
    stored = stored_form(item)
    assert stored["title"] == "T" and stored["volume"] == "7"
    assert stored["place"] == "\u00a0P\u00a0"  # PHP's trim() keeps a no-break space


def test_tags_are_trimmed_and_blank_ones_not_sent() -> None:
    item = {"itemType": "book", "tags": [{"tag": " a "}, {"tag": " "}, {"tag": "b", "type": 1}]}
    assert stored_form(item)["tags"] == [{"tag": "a"}, {"tag": "b", "type": 1}]


def test_creator_names_lose_unicode_spaces_and_format_characters() -> None:
    item = {
        "itemType": "book",
        "creators": [
            {"creatorType": "author", "firstName": "Jane\u200b", "lastName": "\ufeffDoe"},
            {"creatorType": "editor", "name": "Org\u00a0"},
            {"creatorType": "author", "firstName": "\u200b", "lastName": " "},
        ],
    }
    assert stored_form(item)["creators"] == [
        {"creatorType": "author", "firstName": "Jane", "lastName": "Doe"},
        {"creatorType": "editor", "name": "Org"},
    ]


def test_a_note_is_left_as_it_is_and_a_clean_item_is_not_copied() -> None:
    note = {"itemType": "note", "note": " <p>x</p>\n"}
    assert stored_form(note) is note
    clean = {"itemType": "book", "title": "T", "tags": [{"tag": "a"}]}
    assert stored_form(clean) is clean


def test_a_list_left_empty_by_the_cleaning_goes_as_a_list_never_written() -> None:
    item = {
        "itemType": "journalArticle",
        "title": "T",
        "creators": [{"creatorType": "author", "lastName": "\x1b"}],
        "tags": [{"tag": " "}],
    }
    assert stored_form(item) == {"itemType": "journalArticle", "title": "T"}
