"""EndNote XML element names -> Zotero item types, fields and creator types.

Taken from Zotero's "Endnote XML" import translator (translators repository,
``Endnote XML.js``, lastUpdated 2021-07-14): ``processItemType``,
``processNumberType`` and ``fieldMap``. Field names are Zotero base names where the
translator's type-specific name is what the schema resolves the base name to
(``date`` on a patent is its issueDate), so the schema does that part; the rest of
the translator's per-type choices are written out here.
"""

from __future__ import annotations

from typing import Final

# ref-type name="..." first (Mendeley and other EndNote XML writers get the numbers
# wrong), then the number, then journalArticle.
TYPE_BY_NAME: Final = {
    "Artwork": "artwork",
    "Audiovisual Material": "videoRecording",
    "Bill": "bill",
    "Book Section": "bookSection",
    "Book": "book",
    "Case": "case",
    "Catalog": "book",
    "Computer Program": "computerProgram",
    "Conference Proceedings": "conferencePaper",
    "Web Page": "webpage",
    "Generic": "document",
    "Hearing": "hearing",
    "Journal Article": "journalArticle",
    "Magazine Article": "magazineArticle",
    "Map": "map",
    "Film or Broadcast": "film",
    "Newspaper Article": "newspaperArticle",
    "Pamphlet": "manuscript",
    "Patent": "patent",
    "Personal Communication": "letter",
    "Report": "report",
    "Edited Book": "book",
    "Statute": "statute",
    "Thesis": "thesis",
    "Unpublished Work": "manuscript",
    "Manuscript": "manuscript",
    "Figure": "artwork",
    "Chart or Table": "artwork",
    "Equation": "artwork",
    "Electronic Article": "journalArticle",
    "Electronic Book": "book",
    "Online Database": "webpage",
    "Government Document": "bill",
    "Conference Paper": "presentation",
    "Online Multimedia": "webpage",
    "Classical Work": "book",
    "Legal Rule or Regulation": "report",
    "Ancient Text": "book",
    "Dictionary": "dictionaryEntry",
    "Encyclopedia": "encyclopediaArticle",
    "Grant": "report",
    "Aggregated Database": "webpage",
    "Blog": "blogPost",
    "Serial": "book",
    "Standard": "report",
    "Dataset": "report",
    "Electronic Book Section": "bookSection",
    "Music": "audioRecording",
}
TYPE_BY_NUMBER: Final = {
    "2": "artwork",
    "3": "videoRecording",
    "4": "bill",
    "5": "bookSection",
    "6": "book",
    "7": "case",
    "8": "book",
    "9": "computerProgram",
    "10": "conferencePaper",
    "12": "webpage",
    "13": "document",
    "14": "hearing",
    "17": "journalArticle",
    "19": "magazineArticle",
    "20": "map",
    "21": "film",
    "23": "newspaperArticle",
    "24": "manuscript",
    "25": "patent",
    "26": "letter",
    "27": "report",
    "28": "book",
    "31": "statute",
    "32": "thesis",
    "34": "manuscript",
    "36": "manuscript",
    "37": "artwork",
    "38": "artwork",
    "39": "artwork",
    "43": "journalArticle",
    "44": "book",
    "45": "webpage",  # Zotero's table says "wepage", a typo that made it journalArticle
    "46": "bill",
    "47": "conferencePaper",
    "48": "webpage",
    "49": "book",
    "50": "report",
    "51": "book",
    "52": "dictionaryEntry",
    "53": "encyclopediaArticle",
    "54": "report",
    "55": "webpage",
    "56": "blogPost",
    "57": "book",
    "58": "report",
    "59": "report",
    "60": "bookSection",
    "61": "audioRecording",
}

# element -> (default field or None, {field: item types}, item types excluded from default)
_Rule = tuple[str | None, dict[str, tuple[str, ...]], tuple[str, ...]]
FIELD_RULES: Final[dict[str, _Rule]] = {
    "abstract": ("abstractNote", {}, ()),
    "call-num": ("callNumber", {}, ()),
    "electronic-resource-num": ("DOI", {}, ()),
    "remote-database-name": ("libraryCatalog", {}, ()),
    "abbr-1": ("journalAbbreviation", {}, ()),
    "short-title": ("shortTitle", {}, ()),
    "full-title": ("publicationTitle", {}, ()),
    "language": ("language", {}, ()),
    "access-date": ("accessDate", {}, ()),
    "title": ("title", {}, ()),
    "secondary-title": (
        None,
        {
            "code": ("bill", "statute"),
            "bookTitle": ("bookSection",),
            "blogTitle": ("blogPost",),
            "conferenceName": ("conferencePaper",),
            "dictionaryTitle": ("dictionaryEntry",),
            "encyclopediaTitle": ("encyclopediaArticle",),
            "committee": ("hearing",),
            "forumTitle": ("forumPost",),
            "websiteTitle": ("webpage",),
            "programTitle": ("radioBroadcast", "tvBroadcast"),
            "meetingName": ("presentation",),
            "seriesTitle": ("computerProgram", "map", "report"),
            "series": ("book",),
            "reporter": ("case",),
            "publicationTitle": ("journalArticle", "magazineArticle", "newspaperArticle"),
        },
        (),
    ),
    "tertiary-title": (
        None,
        {
            "legislativeBody": ("hearing", "bill"),
            "series": ("bookSection", "conferencePaper"),
            "seriesTitle": ("audioRecording",),
        },
        (),
    ),
    "work-type": (
        None,
        {
            "manuscriptType": ("manuscript",),
            "websiteType": ("webpage",),
            "genre": ("film",),
            "postType": ("forumPost",),
            "letterType": ("letter",),
            "mapType": ("map",),
            "presentationType": ("presentation",),
            "reportType": ("report",),
            "thesisType": ("thesis",),
        },
        (),
    ),
    "custom1": (
        None,
        {"filingDate": ("patent",), "scale": ("map",), "place": ("conferencePaper",)},
        (),
    ),
    "custom2": (None, {"issueDate": ("patent",)}, ()),
    "custom3": (
        None,
        {
            "artworkSize": ("artwork",),
            "proceedingsTitle": ("conferencePaper",),
            "runningTime": ("videoRecording",),
            "country": ("patent",),
        },
        (),
    ),
    "custom4": (None, {"creators/attorneyAgent": ("patent",), "genre": ("film",)}, ()),
    "custom5": (
        None,
        {
            "references": ("patent",),
            "audioRecordingFormat": ("audioRecording", "radioBroadcast"),
            "videoRecordingFormat": ("film", "tvBroadcast", "videoRecording"),
        },
        (),
    ),
    "custom6": (None, {"legalStatus": ("patent",)}, ()),
    "pub-location": ("place", {}, ("conferencePaper",)),
    "edition": (
        "edition",
        {"session": ("bill", "hearing", "statute"), "versionNumber": ("computerProgram",)},
        (),
    ),
    "issue": ("issue", {"numberOfVolumes": ("bookSection",)}, ()),
    "misc1": (
        None,
        {
            "seriesNumber": ("book",),
            "billNumber": ("bill",),
            "system": ("computerProgram",),
            "documentNumber": ("hearing",),
            "applicationNumber": ("patent",),
            "publicLawNumber": ("statute",),
            "episodeNumber": ("podcast", "radioBroadcast", "tvBroadcast"),
        },
        (),
    ),
    "misc2": (
        None,
        {
            "manuscriptType": ("manuscript",),
            "mapType": ("map",),
            "reportType": ("report",),
            "thesisType": ("thesis",),
            "websiteType": ("blogPost", "webpage"),
            "postType": ("forumPost",),
            "letterType": ("letter",),
            "interviewMedium": ("interview",),
            "presentationType": ("presentation",),
            "artworkMedium": ("artwork",),
            "audioFileType": ("podcast",),
        },
        (),
    ),
    "num-vols": ("numberOfVolumes", {}, ("bookSection",)),
    "orig-pub": (
        None,
        {"history": ("hearing", "statute", "bill", "case"), "priorityNumbers": ("patent",)},
        (),
    ),
    "publisher": ("publisher", {}, ()),
    "section": ("section", {}, ("case",)),
    "isbn": (
        "ISBN",
        {
            "ISSN": ("journalArticle", "magazineArticle", "newspaperArticle"),
            "patentNumber": ("patent",),
            "reportNumber": ("report",),
        },
        (),
    ),
    "pages": (
        "pages",
        {
            "codePages": ("bill",),
            "numPages": ("book", "thesis", "manuscript"),
            "firstPage": ("case",),
            "runningTime": ("film",),
        },
        (),
    ),
    "number": (
        None,
        {
            "seriesNumber": ("bookSection", "book"),
            "issue": ("journalArticle", "magazineArticle"),
            "docketNumber": ("case",),
            "artworkSize": ("artwork",),
        },
        (),
    ),
    "volume": ("volume", {}, ("patent", "webpage")),
    # Not in Zotero's table (it makes a note of them): what RIS's AN and DP are.
    "accession-num": ("archiveLocation", {}, ()),
    "remote-database-provider": ("libraryCatalog", {}, ()),
}

CREATOR_RULES: Final[dict[str, _Rule]] = {
    "authors": (
        "author",
        {
            "artist": ("artwork",),
            "cartographer": ("map",),
            "composer": ("audioRecording",),
            "director": ("film", "radioBroadcast", "tvBroadcast", "videoRecording"),
            "interviewee": ("interview",),
            "inventor": ("patent",),
            "podcaster": ("podcast",),
            "programmer": ("computerProgram",),
        },
        (),
    ),
    "secondary-authors": (
        None,
        {
            "sponsor": ("bill",),
            "performer": ("audioRecording",),
            "presenter": ("presentation",),
            "interviewer": ("interview",),
            "editor": (
                "journalArticle",
                "bookSection",
                "conferencePaper",
                "dictionaryEntry",
                "document",
                "encyclopediaArticle",
            ),
            "seriesEditor": ("book", "report"),
            "recipient": ("email", "instantMessage", "letter"),
            "issuingAuthority": ("patent",),
        },
        (),
    ),
    "tertiary-authors": (
        None,
        {
            "cosponsor": ("bill",),
            "producer": ("film", "tvBroadcast", "videoRecording", "radioBroadcast"),
            "editor": ("book",),
            "seriesEditor": (
                "bookSection",
                "conferencePaper",
                "dictionaryEntry",
                "encyclopediaArticle",
                "map",
            ),
        },
        (),
    ),
    "subsidiary-authors": (
        "translator",
        {
            "counsel": ("case",),
            "castMember": ("radioBroadcast", "tvBroadcast", "videoRecording"),
            "contributor": ("conferencePaper", "film"),
        },
        (),
    ),
    # Not in Zotero's table (a note there): EndNote's translated authors.
    "translated-authors": ("translator", {}, ()),
}

# Bookkeeping of the EndNote library, never data of the work.
SKIPPED: Final = frozenset({"database", "source-app", "rec-number", "ref-type", "foreign-keys"})
# Addresses and the library's own modification date: noise in a library, as RIS's AD.
NOISE: Final = frozenset({"auth-address", "auth-affiliaton", "modified-date"})


def target(rules: dict[str, _Rule], name: str, item_type: str) -> str | None:
    """The Zotero field (or creator type) of element ``name`` on ``item_type``."""
    rule = rules.get(name)
    if rule is None:
        return None
    default, by_type, excluded = rule
    for field, types in by_type.items():
        if item_type in types:
            return field
    return None if item_type in excluded else default
