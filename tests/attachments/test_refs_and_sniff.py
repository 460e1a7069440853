"""Which files and links a record names, and a file's type by its content."""

from __future__ import annotations

from syncd.attachments.refs import RefKind, refs_of
from syncd.attachments.sniff import sniff


def test_http_links_become_links_and_paths_become_files() -> None:
    refs = refs_of(
        [
            {"title": "Full Text (HTML)", "path": "https://example.org/a.html"},
            {"title": "a", "path": "papers/a.pdf"},
            {"title": "b", "path": "/abs/b.pdf"},
        ]
    )
    assert [(r.kind, r.target) for r in refs] == [
        (RefKind.LINK, "https://example.org/a.html"),
        (RefKind.FILE, "papers/a.pdf"),
        (RefKind.FILE, "/abs/b.pdf"),
    ]


def test_a_file_url_names_its_decoded_local_path() -> None:
    (ref,) = refs_of([{"title": "x", "path": "file:///home/me/My%20Paper.pdf"}])
    assert (ref.kind, ref.target, ref.refusal) == (RefKind.FILE, "/home/me/My Paper.pdf", None)


def test_a_file_url_on_another_host_is_refused_before_any_access() -> None:
    (ref,) = refs_of([{"title": "x", "path": "file://server/share/a.pdf"}])
    assert ref.refusal is not None and "another computer" in ref.refusal
    assert ref.target == ""


def test_other_schemes_are_refused() -> None:
    (ref,) = refs_of([{"title": "x", "path": "ftp://example.org/a.pdf"}])
    assert ref.refusal is not None


def test_the_same_file_named_twice_is_one_attachment() -> None:
    refs = refs_of([{"title": "a", "path": "a.pdf"}, {"title": "a", "path": "a.pdf"}])
    assert len(refs) == 1


def test_types_come_from_content_not_names() -> None:
    assert sniff(b"%PDF-1.7\n...") == "application/pdf"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff(b"\xef\xbb\xbf  <!DOCTYPE html><html>") == "text/html"
    epub = b"PK\x03\x04" + b"\0" * 26 + b"mimetypeapplication/epub+zip"
    assert sniff(epub) == "application/epub+zip"
    assert sniff(b"root:x:0:0:root:/root:/bin/bash\n") is None
    assert sniff(b"-----BEGIN OPENSSH PRIVATE KEY-----") is None
    assert sniff(b"PK\x03\x04 an ordinary zip") is None


def test_dropped_documents_match_by_export_name_doi_pmid_and_eid() -> None:
    from syncd.attachments.dropped import matching, stems_for
    from syncd.identifiers import Identifiers

    ids = Identifiers(doi="10.1016/j.foo.2020.01.001", pmid="123", scopus_eid="2-s2.0-85")
    names = [
        "export.pdf",
        "10.1016_J.FOO.2020.01.001.pdf",
        "123.epub",
        "2-s2.0-85.pdf",
        "123.docx",
        "1234.pdf",
        "export.ris",
    ]
    assert matching(stems_for(ids, "export.ris", one_record=False), names) == [
        "10.1016_J.FOO.2020.01.001.pdf",
        "123.epub",
        "2-s2.0-85.pdf",
    ]
    assert "export.pdf" in matching(stems_for(ids, "export.ris", one_record=True), names)
