"""What a question asks for, read from its wording: the parts it has, the kind of thing each part
wants (a number, a share, a sum of money, a date, a duration, a frequency, a body or person, a
recommendation, a definition, a reason), and whether it compares documents.

Each kind has a test that a unit of text passes when it holds such a thing: "How much will
budgets grow?" is answered by a sentence with a figure in it, not by one that shares more of the
question's words. These are properties of English questions, not of any library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.common.text import content_stems, sentence_spans

_Q = re.IGNORECASE
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
# "30 working days", "12 calendar months", "two clear days": a duration with its reckoning.
_UNIT_QUALIFIER = r"(?:working|calendar|clear|business|consecutive|school|full|further|additional|more)"
_NUMBER_WORD = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
                r"fifty|hundred|thousand|million|billion|dozen|half|quarter|third)")

# The kinds, in the order a question is tested for them: the first that matches is what it asks.
_ASKS: list[tuple[str, re.Pattern[str]]] = [
    ("share", re.compile(r"\b(what|which) ([\w&/-]+ ){0,3}(share|proportion|percentage|fraction|per ?cent|"
                         r"uptake rate|coverage)\b|\bhow much of\b|\bby what (percentage|proportion)\b|\bwhat % ", _Q)),
    ("duration", re.compile(r"\bhow (long|soon|quickly)\b|\bwithin how (many|much)\b|\b(waiting|response|handover|turnaround) "
                            r"times?\b|\bturnaround\b|\bhow (many|much) (minutes|hours|days|weeks|months|years)\b", _Q)),
    ("frequency", re.compile(r"\bhow (often|frequently|regularly)\b|\bwhat frequency\b", _Q)),
    ("date", re.compile(r"^\s*when\b(?![^,]*,\s*(how|what|who|which|why)\b)|[,;]\s*(and )?when\b(?! to)|\band when\b(?! to)|\bby when\b|\b(what|which) (date|year|month|"
                        r"deadline)\b|\bby what (date|point|year)\b|\bwhat (is the )?timetable\b|\btarget date\b|\bdeadline\b", _Q)),
    ("money", re.compile(r"\bhow much\b[^?,;]{0,60}\b(pay|paid|cost|costs|costing|spend|spent|charge[ds]?|invest(ed)?|"
                         r"fund(ed)?|price[ds]?|earn(ed)?|raise[ds]?|save[ds]?)\b|"
                         r"\bhow much (money|funding|spend\w*|budget\w*|cost\w*|revenue|capital|investment|pay|"
                         r"sav\w+|will [\w ]{0,40}(budgets?|spend\w*|funding|revenue|capital) )|"
                         r"\b(above|below|over|under|beyond|up to) what ([\w-]+ ){0,3}(cost|price|sum|amount|value|"
                         r"budget|spend)\b", _Q)),
    ("number", re.compile(r"\bhow (many|much|large|big)\b|\bwhat (number|figure|size|level|rate|target|"
                          r"amount|value|population)\b|\bwhat ([\w&/-]+ ){1,3}(performance|target|standard|rate|"
                          r"level|ambition|size|figure)s?\b|\bwhat (is|are|was|were) the (figure|number|target|rate|"
                          r"level|amount)s?\b|\b(above|below|over|under) what\b|\bwhat (is|are|was|were) the ([\w-]+ ){0,2}(goal|"
                          r"target|ambition|standard)s?\b", _Q)),
    ("who", re.compile(r"^\s*who\b|[,;]\s*(and )?who\b|\band who\b|\bwhom\b|\bwhich ([\w-]+ )?(organi[sz]ations?|bod(y|ies)|"
                       r"teams?|persons?|people|minister|department|groups?)\b|\bwho (decides|is|are|will|should|"
                       r"must|leads|agrees|sets|approves)\b", _Q)),
    ("definition", re.compile(r"\bdefine\b|\bdefinition\b|\bwhat is meant by\b|\bwhat does [\w ’']+ mean\b", _Q)),
    ("reason", re.compile(r"^\s*why\b|\bwhy (has|have|is|are|was|were|did|do|does)\b|\bwhat (helped|drove|caused|"
                          r"explains|led to|made)\b|\bwhat (factors|barriers|enablers|facilitators)\b", _Q)),
    ("recommendation", re.compile(r"\b(should|must|ought)\b|\b(recommend\w*|advis\w*|propos\w*|expect\w*|requir\w*|"
                                  r"suggest\w*|urg\w*|calls? for)\b", _Q)),
]

# A sentence that tells the reader what to do ("Then take a year to work towards a 10 year plan"):
# it opens with one of the verbs guidance uses in the imperative, not followed as a noun is.
_IMPERATIVE = (r"^\W*(?:(?:then|so|first(?:ly)?|second(?:ly)?|next|finally|also|and|instead),?\s+)?"
               r"(?:take|make|set|build|develop|create|establish|review|consider|introduce|give|provide|put|start|"
               r"stop|focus|invest|work|bring|agree|publish|prioriti[sz]e|commission|involve|engage|identify|adopt|"
               r"ensure|avoid|keep|treat|move|shift|pool|join|align|share|embed|test)\s+"
               r"(?!of\b|is\b|are\b|was\b|were\b|has\b|have\b|had\b|in\b|for\b|to be\b|and\b|or\b)")

# What a unit of text must hold to answer each kind.
_HOLDS: dict[str, re.Pattern[str]] = {
    "share": re.compile(r"\d[\d.,]*\s?(%|per ?cent\b)|\b(half|third|quarter|fifth|tenth|two[- ]thirds|three[- ]quarters|"
                        r"majority|minority)\b|\bproportion\b|\bin (every|each) \d+\b", _Q),
    "duration": re.compile(rf"\b(\d[\d,.]*|{_NUMBER_WORD})[- ]({_UNIT_QUALIFIER} )?(minutes?|hours?|days?|weeks?|months?|years?)\b",
                           _Q),
    "frequency": re.compile(r"\b(annual(ly)?|yearly|each year|every (year|month|week|day|quarter|\w+ (years|months|"
                            r"weeks))|per (year|annum|month|week|day)|a (year|month|week|day)|monthly|quarterly|"
                            r"weekly|daily|fortnightly|twice|once|times a)\b", _Q),
    "date": re.compile(rf"\b{_YEAR}\b|\b{_MONTH}\b|\b(spring|summer|autumn|winter)\b|\b20\d\d/\d\d\b|"
                       r"\bQ[1-4]\b|\bby the end of\b", _Q),
    "money": re.compile(r"[£$€]\s?\d|\b\d[\d,.]*\s?(bn|m|billion|million|thousand)\b", _Q),
    "number": re.compile(rf"\b\d[\d,.]*\b(?!/\d)|\b{_NUMBER_WORD}\b", _Q),
    "who": re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b|\b[A-Z]{2,}s?\b|(?i:\b(boards?|trusts?|regions?|regional|"
                      r"teams?|commissioners?|providers?|councils?|authorit(y|ies)|government|ministers?|"
                      r"secretary|department|committees?|panels?|partnerships?|organisations?|systems?|"
                      r"leaders?|practices?|services?|managers?|staff|clinicians?|patients?|carers?|nurses?|doctors?|GPs?|"
                      r"professionals?|officers?|people|residents|communit(y|ies)|users?|workers?|employers?|"
                      r"councillors?|MPs?|groups?)\b)"),
    "definition": re.compile(r"\b(means?|meaning|defined|definition|refers? to|is (a|an|the)|are (a|an|the))\b", _Q),
    "reason": re.compile(r"\b(because|due to|as a result|result(ed|s)? (in|from)|driven by|led to|caus\w+|reasons?|"
                         r"factors?|barriers?|helped|help(s|ing)?|enabl\w+|facilitat\w+|success\w*|"
                         r"so that|since|owing to|challeng\w+)\b", _Q),
    "recommendation": re.compile(r"\b(should|must|need(s|ed)? to|will need|expected to|required to|are asked to|"
                                 r"recommend\w*|advis\w*|propos\w*|encourag\w*|ensure|urge\w*|calls? for|ought|"
                                 r"will (be )?(deliver|agree|develop|set|publish|implement)\w*|aim\w* to|aspire)\b|"
                                 + _IMPERATIVE, _Q),
}
# Words that say what kind of answer is wanted, or how the asker relates to it: they never name
# what the question is about (its subject), so a unit need not share them to be on topic.
ASKING_WORDS = frozenset(content_stems(
    "share proportion percentage fraction percent rate level figure number amount value size total "
    "target targets goal ambition standard maximum minimum average typical expected expect required require "
    "requirement should must need needs ought recommend recommended advise propose proposed suggest say says "
    "said describe described according define definition mean meant date year years month time times long "
    "often frequently many much far large big when who which what whom why how deliver achieve aim aims "
    "increase decrease change changed grow growth reach cut give given set new current currently plan "
    "our we us trust trusts system board organisation organisations"
))
SOFT_KINDS = frozenset({"recommendation", "reason", "definition"})  # worded too many ways to require
_NUMBER_KINDS = {"share", "duration", "money", "number"}

_COMPARISON = re.compile(r"\b(both|compare\w*|comparison|differ\w*|same (line|view|date|target)|versus|"
                         r"vs\.?|contrast|moved|changed since|still the one)\b|\beach (say|says|describe|describes|"
                         r"draw|draws|propose|proposes|put|puts|take|takes|argue|argues|see|sees)\b|\bhow does each\b|"
                         r"\b(each|all) of the (documents|sources|articles|plans|reports)\b|\bthe documents\b|"
                         r"^\s*(do|did|does) (the )?[\w'’ ]+ agree\b", _Q)
_PAIR = re.compile(r"\b(both|two|pair|either)\b|\b\w+ and the \w+", _Q)
_PART_SPLIT = re.compile(r"(?:,\s*|;\s*|\s+)(?:and|but)\s+(?=(?:(?:in|on|at|by|for|from|to|with|under|of) (?:what|which|whom)\b|what|which|who|whom|when|where|why|how|is|are|does|"
                         r"do|did|has|have|will|would|can|could|should|must)\b(?! to\b))|;\s+|\?\s+", _Q)
_YES_NO = re.compile(r"^\s*(do|does|did|is|are|was|were|will|would|can|could|has|have|had|should|must)\b", _Q)


@dataclass
class Part:
    """One thing the question asks: its words and the kind of answer it wants (None: any)."""

    text: str
    asks: str | None = None
    yes_no: bool = False


@dataclass
class Question:
    """A question as the answerer reads it."""

    text: str
    parts: list[Part] = field(default_factory=list)
    comparison: bool = False
    pair: bool = False

    @property
    def asks(self) -> str | None:
        """What the first part that asks for something specific wants."""
        return next((p.asks for p in self.parts if p.asks), None)


def read_question(text: str) -> Question:
    """Split a question into its parts and say what each asks for."""
    sentences = [text[s:e] for s, e in sentence_spans(text)] or [text]
    asking = [s for s in sentences if s.rstrip().endswith("?")] or sentences[-1:]
    parts: list[Part] = []
    for sentence in asking:
        short = ""  # a piece too short to stand alone ("When, and in which…") joins the next one
        for piece in _PART_SPLIT.split(sentence):
            piece = ", ".join(p for p in (short, piece.strip(" ,;?")) if p)
            short = "" if len(piece.split()) >= 2 else piece
            if not short:
                parts.append(Part(piece, kind_asked(piece), bool(_YES_NO.match(piece))))
    if not parts:
        parts = [Part(text.strip(), kind_asked(text), bool(_YES_NO.match(text)))]
    if len(sentences) > len(asking) and not any(p.asks for p in parts):
        parts[0].asks = kind_asked(text)  # "…how much of its spend… What is the figure?"
    return Question(text, parts, bool(_COMPARISON.search(text)), bool(_PAIR.search(text)))


def kind_asked(text: str) -> str | None:
    """The kind of answer a piece of question wants, or None when any statement may answer it."""
    return next((kind for kind, pattern in _ASKS if pattern.search(text)), None)


def holds(kind: str | None, text: str) -> bool:
    """Does `text` hold the kind of thing asked for? (True when nothing specific is asked.)"""
    if kind is None:
        return True
    if kind in _NUMBER_KINDS and kind != "number" and _HOLDS[kind].search(text):
        return True
    if kind == "money":
        return bool(_HOLDS["money"].search(text))
    if kind == "number":
        return bool(_HOLDS["number"].search(_without_years(text)))
    return bool(_HOLDS[kind].search(text))


def facts_of(kind: str | None, text: str) -> set[str]:
    """The asked-for things a text states (the figures of a numeric answer, the dates of a
    'when'), so a second quote can be told to add one or merely repeat."""
    if kind is None or kind not in _HOLDS:
        return set()
    source = _without_years(text) if kind == "number" else text
    return {m.group().lower() for m in _HOLDS[kind].finditer(source)}


def _without_years(text: str) -> str:
    return re.sub(rf"\b{_YEAR}(/\d\d)?\b", " ", text)
