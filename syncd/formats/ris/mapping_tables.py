"""Lookup tables of the RIS import: TY -> item type, and tag -> target per item type.

The facts come from the reference description of Zotero's own RIS import
(``zotero-ris-mapping.md`` sections 2 and 4); the tables are ours. A tag has a
*primary* rule and may have an *import-only* rule; a tag with an import-only
rule is processed in the second pass (section 3), and the import-only rule is
consulted when the primary rule gives nothing for the item type.

Targets are strings: a Zotero field name (base or type-specific), or one of
``creators/<creatorType>``, ``attachments/<PDF|HTML|other>``,
``unsupported/<Label>``, ``backupPublicationTitle``, ``extra``, ``notes``,
``tags`` and ``__ignore``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Final

TYPE_MAP: dict[str, str] = {
    "JOUR": "journalArticle",
    "ABST": "journalArticle",
    "EJOUR": "journalArticle",
    "JFULL": "journalArticle",
    "GEN": "journalArticle",
    "MGZN": "magazineArticle",
    "CTLG": "magazineArticle",
    "BOOK": "book",
    "CLSWK": "book",
    "EBOOK": "book",
    "SER": "book",
    "EDBOOK": "book",
    "CHAP": "bookSection",
    "ECHAP": "bookSection",
    "CONF": "conferencePaper",
    "CPAPER": "conferencePaper",
    "RPRT": "report",
    "GOVDOC": "report",
    "STAND": "report",
    "THES": "thesis",
    "NEWS": "newspaperArticle",
    "ELEC": "webpage",
    "WEB": "webpage",
    "BLOG": "blogPost",
    "DATA": "dataset",
    "DBASE": "dataset",
    "AGGR": "document",
    "ANCIENT": "document",
    "EQUA": "document",
    "GRNT": "document",
    "MANSCPT": "manuscript",
    "INPR": "manuscript",
    "PAMP": "manuscript",
    "UNBILL": "manuscript",
    "UNPD": "manuscript",
    "ART": "artwork",
    "CHART": "artwork",
    "FIGURE": "artwork",
    "MPCT": "film",
    "ADVS": "film",
    "VIDEO": "videoRecording",
    "MULTI": "videoRecording",
    "SOUND": "audioRecording",
    "MUSIC": "audioRecording",
    "CASE": "case",
    "LEGAL": "case",
    "STAT": "statute",
    "BILL": "bill",
    "HEAR": "hearing",
    "PAT": "patent",
    "COMP": "computerProgram",
    "MAP": "map",
    "SLIDE": "presentation",
    "DICT": "dictionaryEntry",
    "ENCYC": "encyclopediaArticle",
    "PCOMM": "letter",
    "ICOMM": "email",
}
DEFAULT_TYPE: Final = "journalArticle"
# Every reference type of the RIS specification. Those Zotero does not map (GRANT,
# UNPB, ...) become DEFAULT_TYPE quietly, as in Zotero; any other TY is reported.
# fmt: off
RIS_TYPES: Final = frozenset({
    *TYPE_MAP,
    "ABST", "ADVS", "AGGR", "ANCIENT", "ART", "BILL", "BLOG", "BOOK", "CASE", "CHAP",
    "CHART", "CLSWK", "COMP", "CONF", "CPAPER", "CTLG", "DATA", "DBASE", "DICT", "EBOOK",
    "ECHAP", "EDBOOK", "EJOUR", "ELEC", "ENCYC", "EQUA", "FIGURE", "GEN", "GOVDOC",
    "GRANT", "HEAR", "ICOMM", "INPR", "JFULL", "JOUR", "LEGAL", "MANSCPT", "MAP", "MGZN",
    "MPCT", "MULTI", "MUSIC", "NEWS", "PAMP", "PAT", "PCOMM", "RPRT", "SER", "SLIDE",
    "SOUND", "STAND", "STAT", "THES", "UNBILL", "UNPB", "VIDEO", "WEB",
})
# fmt: on

# Item type -> TY, for the writer (first TY listed for a type above is canonical).
EXPORT_TYPE: dict[str, str] = {}
for _ty, _it in TYPE_MAP.items():
    EXPORT_TYPE.setdefault(_it, _ty)
EXPORT_TYPE.update({"journalArticle": "JOUR", "document": "GEN", "dataset": "DATA"})


@dataclass(frozen=True)
class Rule:
    """Where one tag goes: a per-type target, else ``default`` unless excluded."""

    default: str | None = None
    by_type: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()

    def target(self, item_type: str) -> str | None:
        for target, types in self.by_type.items():
            if item_type in types:
                return target
        if self.default is not None and item_type not in self.exclude:
            return self.default
        return None


def _r(
    default: str | None = None, exclude: tuple[str, ...] = (), **by_type: tuple[str, ...]
) -> Rule:
    return Rule(default, {k.replace("__", "/"): v for k, v in by_type.items()}, exclude)


_AUTHOR: Final = _r(
    "creators/author",
    creators__artist=("artwork",),
    creators__cartographer=("map",),
    creators__composer=("audioRecording",),
    creators__director=("film", "radioBroadcast", "tvBroadcast", "videoRecording"),
    creators__interviewee=("interview",),
    creators__inventor=("patent",),
    creators__podcaster=("podcast",),
    creators__programmer=("computerProgram",),
)
_TITLE: Final = _r("title", subject=("email",), caseName=("case",), nameOfAct=("statute",))
_DATE: Final = _r("date", dateEnacted=("statute",), dateDecided=("case",), issueDate=("patent",))

PRIMARY: dict[str, Rule] = {
    "AB": _r("abstractNote"),
    "AN": _r("archiveLocation"),
    "CN": _r("callNumber"),
    "DB": _r("archive"),
    "DO": _r("DOI"),
    "DP": _r("libraryCatalog"),
    "J2": _r("journalAbbreviation"),
    "KW": _r("tags"),
    "L1": _r("attachments/PDF"),
    "L2": _r("attachments/HTML"),
    "L4": _r("attachments/other"),
    "N1": _r("notes"),
    "ST": _r("shortTitle"),
    "UR": _r("url"),
    "Y2": _r("accessDate"),
    "TI": _TITLE,
    "T2": _r(
        None,
        code=("bill", "statute"),
        bookTitle=("bookSection",),
        blogTitle=("blogPost",),
        conferenceName=("conferencePaper",),
        dictionaryTitle=("dictionaryEntry",),
        encyclopediaTitle=("encyclopediaArticle",),
        committee=("hearing",),
        forumTitle=("forumPost",),
        websiteTitle=("webpage",),
        programTitle=("radioBroadcast", "tvBroadcast"),
        meetingName=("presentation",),
        seriesTitle=("computerProgram", "map", "report"),
        series=("book",),
        publicationTitle=("journalArticle", "magazineArticle", "newspaperArticle"),
    ),
    "T3": _r(
        None,
        legislativeBody=("hearing", "bill"),
        series=("bookSection", "conferencePaper", "journalArticle"),
        seriesTitle=("audioRecording",),
    ),
    "AU": _AUTHOR,
    "A1": _AUTHOR,
    "A2": _r(
        None,
        creators__sponsor=("bill",),
        creators__performer=("audioRecording",),
        creators__presenter=("presentation",),
        creators__interviewer=("interview",),
        creators__editor=(
            "journalArticle",
            "bookSection",
            "conferencePaper",
            "dictionaryEntry",
            "document",
            "encyclopediaArticle",
        ),
        creators__seriesEditor=("book", "report"),
        creators__recipient=("email", "instantMessage", "letter"),
        reporter=("case",),
        issuingAuthority=("patent",),
    ),
    "A3": _r(
        None,
        creators__contributor=("thesis",),
        creators__cosponsor=("bill",),
        creators__producer=("film", "tvBroadcast", "videoRecording", "radioBroadcast"),
        creators__editor=("book",),
        creators__seriesEditor=(
            "bookSection",
            "conferencePaper",
            "dictionaryEntry",
            "encyclopediaArticle",
            "map",
        ),
    ),
    "A4": _r(
        "creators/translator",
        creators__counsel=("case",),
        creators__contributor=("conferencePaper", "film", "dataset"),
    ),
    "C1": _r(
        None,
        filingDate=("patent",),
        creators__castMember=("radioBroadcast", "tvBroadcast", "videoRecording"),
        scale=("map",),
        place=("conferencePaper",),
    ),
    "C2": _r(
        None,
        issueDate=("patent",),
        creators__bookAuthor=("bookSection",),
        creators__commenter=("blogPost",),
    ),
    "C3": _r(
        None,
        artworkSize=("artwork",),
        proceedingsTitle=("conferencePaper",),
        country=("patent",),
    ),
    "C4": _r(
        None,
        creators__wordsBy=("audioRecording",),
        creators__attorneyAgent=("patent",),
        genre=("film",),
    ),
    "C5": _r(
        None,
        references=("patent",),
        audioRecordingFormat=("audioRecording", "radioBroadcast"),
        videoRecordingFormat=("film", "tvBroadcast", "videoRecording"),
    ),
    "C6": _r(None, legalStatus=("patent",)),
    "CY": _r("place", ("conferencePaper",), repositoryLocation=("dataset",)),
    "DA": _DATE,
    "ET": _r(
        "edition",
        session=("bill", "hearing", "statute"),
        versionNumber=("computerProgram", "dataset"),
    ),
    "IS": _r("issue", ("dataset",), numberOfVolumes=("bookSection",)),
    "LA": _r("language", programmingLanguage=("computerProgram",)),
    "M1": _r(
        None,
        seriesNumber=("book",),
        billNumber=("bill",),
        system=("computerProgram",),
        documentNumber=("hearing",),
        applicationNumber=("patent",),
        publicLawNumber=("statute",),
        episodeNumber=("podcast", "radioBroadcast", "tvBroadcast"),
    ),
    "M3": _r(
        None,
        manuscriptType=("manuscript",),
        mapType=("map",),
        reportType=("report",),
        thesisType=("thesis",),
        websiteType=("blogPost", "webpage"),
        postType=("forumPost",),
        letterType=("letter",),
        interviewMedium=("interview",),
        presentationType=("presentation",),
        artworkMedium=("artwork",),
        audioFileType=("podcast",),
    ),
    "NV": _r("numberOfVolumes", ("bookSection",), identifier=("dataset",)),
    "OP": _r(None, history=("hearing", "statute", "bill", "case"), priorityNumbers=("patent",)),
    "PB": _r(
        "publisher",
        label=("audioRecording",),
        court=("case",),
        distributor=("film",),
        assignee=("patent",),
        institution=("report",),
        repository=("dataset",),
        university=("thesis",),
        company=("computerProgram",),
        studio=("videoRecording",),
        network=("radioBroadcast", "tvBroadcast"),
    ),
    "PY": _DATE,
    "SE": _r("section", ("case",)),
    "SN": _r(
        "ISBN",
        ISSN=("journalArticle", "magazineArticle", "newspaperArticle"),
        patentNumber=("patent",),
        reportNumber=("report",),
    ),
    "SP": _r(
        "pages",
        codePages=("bill",),
        numPages=("book", "thesis", "manuscript"),
        firstPage=("case",),
        runningTime=("film",),
    ),
    "SV": _r(None, seriesNumber=("bookSection",), docketNumber=("case",)),
    "VL": _r(
        "volume",
        ("patent", "webpage"),
        codeNumber=("statute",),
        codeVolume=("bill",),
        reporterVolume=("case",),
    ),
}

IMPORT_ONLY: dict[str, Rule] = {
    "AD": Rule("unsupported/Author Address", {"unsupported/Inventor Address": ("patent",)}),
    "AV": _r("archiveLocation"),
    "BT": _r("backupPublicationTitle", title=("book", "manuscript"), bookTitle=("bookSection",)),
    "CA": _r("unsupported/Caption"),
    "CR": _r("rights"),
    "CT": _r("title"),
    "CY": _r("place"),
    "ED": _r("creators/editor"),
    "EP": _r("pages"),
    "H1": _r("unsupported/Library Catalog"),
    "H2": _r("unsupported/Call Number"),
    "ID": _r("__ignore"),
    "IS": _r(None, versionNumber=("dataset",)),
    "JA": _r("journalAbbreviation"),
    "JF": _r("publicationTitle"),
    "JO": _r("journalAbbreviation", conferenceName=("conferencePaper",)),
    "LB": _r("unsupported/Label"),
    "M1": _r(
        "extra",
        issue=("journalArticle",),
        numberOfVolumes=("bookSection",),
        accessDate=("webpage",),
    ),
    "M2": _r("extra"),
    "M3": _r("DOI"),
    "N2": _r("abstractNote"),
    "NV": _r("numberOfVolumes"),
    "OP": Rule(
        "unsupported/Original Publication",
        {
            "unsupported/Content": (
                "blogPost",
                "computerProgram",
                "film",
                "presentation",
                "report",
                "videoRecording",
                "webpage",
            )
        },
    ),
    "RI": Rule("unsupported/Reviewed Item", {"unsupported/Article Number": ("statute",)}),
    "RN": _r("notes"),
    "SE": Rule(None, {"unsupported/File Date": ("case",)}),
    "T1": _TITLE,
    "T2": _r("backupPublicationTitle"),
    "T3": _r(None, series=("book",)),
    "TA": _r("unsupported/Translated Author"),
    "TT": _r("unsupported/Translated Title"),
    "VL": Rule(
        None, {"unsupported/Patent Version Number": ("patent",), "accessDate": ("webpage",)}
    ),
    "Y1": _DATE,
}

SECOND_PASS: Final = frozenset(IMPORT_ONLY)


@cache
def target_for(item_type: str, tag: str) -> str | None:
    """Where ``tag`` goes for ``item_type``; None for an unknown tag."""
    rule = PRIMARY.get(tag)
    if rule is not None:
        found = rule.target(item_type)
        if found is not None:
            return found
    rule = IMPORT_ONLY.get(tag)
    if rule is not None:
        return rule.target(item_type)
    return None


# Date-valued targets: converted with the RIS date rules.
DATE_TARGETS: Final = frozenset(
    {"date", "accessDate", "filingDate", "issueDate", "dateEnacted", "dateDecided"}
)
