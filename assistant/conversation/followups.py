"""Rewriting a follow-up into a question that stands on its own.

Offline and rule-based. A pronoun that points back is replaced by what it most likely refers to
in the previous turn:
- he / she / him / his / her: a person named in the last answer; when the officer asked about
  someone the answer names, the one asked about first (not merely the last name quoted);
- it / its / this / that: the body, plan, review or report named (in the question first, else in
  the answer) — a document's title only when the officer spoke of the document ("who wrote it?",
  "the article");
- they / them / their: a plural body named (boards, councils, ICBs), else the person.
A follow-up with nothing to resolve that is short or bare ("and the other article?") borrows the
previous question's subject.
"""

from __future__ import annotations

import re

from assistant.common.text import STOPWORDS
from assistant.conversation.session import Session, Turn

_HE = re.compile(r"\b(he|she|him|his|her|hers)\b", re.I)
_IT = re.compile(r"\b(it|its)\b|\b(this|that)\b(?=\s*[?.!,]|\s*$)", re.I)
_THEY = re.compile(r"\b(they|them|their)\b", re.I)
_BARE_FOLLOW_UP = re.compile(r"^\s*(and|what about|how about|also|then|so)\b", re.I)
_POSSESSIVE = {"his": "'s", "her": "'s", "its": "'s", "their": "'s", "hers": "'s"}
_OBJECT = {"him", "her", "them"}

# The officer speaks of a document, not of what it is about.
_ABOUT_THE_DOCUMENT = re.compile(
    r"\b(who (wrote|authored|published)|author|publisher|written|writer|byline)\b"
    r"|\b(the|this|that) (article|document|blog|blog post|post|piece|page|paper|text|source|web ?page)\b", re.I)
_PUBLISHED = re.compile(r"\bpublish(ed)?\b", re.I)
# "the article" after an answer: the document that answer quoted first.
_THE_DOCUMENT = re.compile(r"\b(?:the|this|that) (?:article|document|blog post|blog|post|piece|web ?page)\b", re.I)

# Words that head the name of a body, a plan or a report: "the Better Care Fund", "a joint forward
# plan", "integrated care boards", "the Hewitt review", "the Commission on Whole Person Care".
_BODY_NOUNS = (
    "act|agency|agreement|alliance|authority|authorities|bill|board|boards|body|budget|centre|charter|"
    "commission|committee|council|councils|deal|department|directorate|framework|fund|group|hub|inquiry|"
    "model|network|notice|organisation|organisations|paper|partnership|partnerships|pilot|pilots|plan|plans|"
    "policy|programme|project|report|review|scheme|service|services|settlement|stocktake|strategy|system|"
    "systems|taskforce|team|trust|trusts|unit"
)
_PUBLISHABLE = {"act", "agreement", "bill", "charter", "framework", "notice", "paper", "plan", "plans", "policy",
                "report", "review", "stocktake", "strategy"}
_BODY_HEAD = re.compile(rf"^(?:{_BODY_NOUNS})$", re.I)
# Words that end a noun phrase when reading leftwards from its head: verbs and auxiliaries of questions.
_NOT_IN_A_NAME = STOPWORDS | {
    "must", "shall", "may", "might", "can", "cannot", "need", "needs", "say", "said", "suggest", "suggested",
    "recommend", "recommended", "propose", "proposed", "publish", "published", "set", "lead", "leads", "led",
    "want", "wanted", "mean", "means", "make", "made", "run", "runs", "describe", "described", "think", "argue",
    "argued", "see", "call", "called", "give", "gave", "take", "took", "fund", "funded", "reply", "respond",
    "establish", "established", "create", "created", "launch", "launched", "start", "started", "back", "oppose",
    "support", "supports", "expect", "replace", "replaced", "bring", "get", "got", "like", "many", "much",
}
_TOKEN = re.compile(r"[A-Za-z0-9](?:[\w’'&-]|\.(?=\w))*")
_CONNECTOR = {"of", "on", "for", "and", "in", "to", "the"}
_TITLE = {"Sir", "Dr", "Dr.", "Dame", "Lord", "Lady", "Baroness", "Baron", "Professor", "Prof", "Prof.", "Mr", "Mrs",
          "Ms", "Mr.", "Mrs.", "Ms.", "Cllr", "Councillor"}
# Capitalised words that are roles, places or parts of bodies' names, never part of a person's name.
_NOT_A_NAME = {
    "Health", "Social", "Care", "Labour", "Conservative", "Conservatives", "National", "Department", "Local",
    "Greater", "Town", "Country", "Public", "Clinical", "Whole", "Integrated", "Spending", "Review", "Secretary",
    "Minister", "Shadow", "Former", "Chancellor", "Chief", "Executive", "Council", "County", "City", "Borough",
    "Government", "Party", "England", "Scotland", "Wales", "Britain", "UK", "NHS", "Trust", "Board", "Fund",
    "Commission", "Committee", "Act", "Plan", "Integration", "Reader", "Comment", "Blog", "Association", "Society",
    "Office", "Agency", "Authority", "Services", "Service", "System", "Systems", "Better", "Long", "Term", "Year",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Parliament",
    "Royal", "College", "Colleges", "Union", "Unions", "Green", "White", "Paper", "Bill", "Brighton", "London",
    "Manchester", "Milton", "Keynes", "Hackney", "Birmingham", "Leeds", "Liverpool", "Bristol", "Cabinet", "Mayor",
    "Leader", "Director", "Professor", "Chair", "Chairman", "President", "Officer", "Member", "Members", "Team",
}
_GENERIC_OPENERS = {"What", "Which", "Who", "Whom", "When", "Where", "Why", "How", "Is", "Are", "Was", "Were", "Did",
                    "Does", "Do", "Has", "Have", "Had", "Can", "Could", "Should", "Would", "Will", "The", "A", "An",
                    "And", "But", "So", "Then", "Also", "In", "On", "According", "If", "It", "This", "That"}


def standalone_question(question: str, session: Session | None) -> str:
    """The question rewritten so it needs no earlier turn; unchanged when it already does."""
    question = question.strip()
    if session is None or not session.turns:
        return question
    last = session.turns[-1]
    person = last_person(last)
    rewritten = question
    if person:
        rewritten = _HE.sub(lambda m: _substitute(m, person), rewritten)
    thing = last_thing(last, question)
    if thing:
        rewritten = _IT.sub(lambda m: _substitute(m, thing), rewritten)
    document = _first_cited_title(last)
    if document:
        rewritten = _THE_DOCUMENT.sub(document, rewritten)
    group = _last_group(last) or person
    if group:
        rewritten = _THEY.sub(lambda m: _substitute(m, group), rewritten)
    if rewritten == question and (_BARE_FOLLOW_UP.match(question) or len(question.split()) <= 4):
        rewritten = f"{question.rstrip('?')} ({last.standalone_question.rstrip('?')})?"
    return _BARE_FOLLOW_UP.sub("", rewritten).strip() or rewritten


def last_person(turn: Turn) -> str:
    """Whom "he" or "she" means after this turn: of the people the officer asked about, the
    first the answer names (or the first asked about, if the answer names none of them); else
    the first person the answer itself names; else whom it quoted."""
    known = _quoted_people(turn)
    asked = people_in(turn.standalone_question, known)
    answer_text = turn.answer.answer_markdown
    named = people_in(answer_text, known)
    for person in asked:
        if _mentions(answer_text, person):
            return person
    if asked:
        return asked[0]
    spoken = [p for p in named if not _is_attribution_only(p, turn)]
    return (spoken or named or known or [""])[0]


def last_thing(turn: Turn, follow_up: str = "") -> str:
    """What "it" means after this turn: the document, when the officer speaks of it (or asks who
    wrote or published it and named no report); else the body, plan or report named in the last
    question, else in the answer."""
    asked = bodies_in(turn.standalone_question)
    about_document = bool(_ABOUT_THE_DOCUMENT.search(follow_up) or _ABOUT_THE_DOCUMENT.search(turn.question))
    if _PUBLISHED.search(follow_up) and not any(_head(b).lower() in _PUBLISHABLE for b in asked):
        about_document = True
    document = _first_cited_title(turn)
    if about_document and document:
        return document
    answered = bodies_in(" ".join(c.quote for c in turn.answer.citations))
    singular = [b for b in asked if not _plural(b)] or [b for b in answered if not _plural(b)] or asked
    return re.sub(r"^(a|an) ", "the ", singular[0]) if singular else ""


def _first_cited_title(turn: Turn) -> str:
    """The title of the document the answer quoted first (or, for a refusal, listed first)."""
    titles = [c.title for c in turn.answer.citations] + [p.title for p in turn.answer.related]
    return f"“{titles[0]}”" if titles and titles[0] else ""


def _last_group(turn: Turn) -> str:
    """A plural body of the last question ("integrated care boards", "ICBs"), for "they"."""
    return next((b for b in bodies_in(turn.standalone_question) if _plural(b)), "")


def people_in(text: str, known: list[str] | None = None) -> list[str]:
    """People named in `text`, in order: runs of capitalised words read as a name (a title such
    as "Sir" may open it; roles and bodies' words are cut off: "Shadow Health Secretary Andy
    Burnham" is Andy Burnham), and single names of people the answer quotes ("Richard")."""
    single = {k for k in known or [] if " " not in k}
    found: list[str] = []
    for run, at_start in _capitalised_runs(text):
        if at_start and run and run[0] in _GENERIC_OPENERS:
            run = run[1:]
        for name in _name_segments(run):
            titled = len(name) >= 2 and name[0] in _TITLE
            if 2 <= len(name) <= 4 or titled or (len(name) == 1 and name[0] in single):
                person = " ".join(name)
                if person not in found:
                    found.append(person)
    return found


def _name_segments(run: list[str]) -> list[list[str]]:
    """A run of capitalised words cut at roles, bodies' words and acronyms, and after a possessive:
    "Former Health Secretary Andrew Lansley’s NHS Act" holds the name Andrew Lansley."""
    segments: list[list[str]] = [[]]
    for word in run:
        bare = re.sub(r"['’]s$", "", word)
        if bare in _NOT_A_NAME or bare.isupper():
            segments.append([])
            continue
        segments[-1].append(bare)
        if bare != word:
            segments.append([])
    return [s for s in segments if s]


def bodies_in(text: str) -> list[str]:
    """Bodies, plans and reports named in `text`, in order, as they would read in a question:
    "the Commission on Whole Person Care", "the Better Care Fund", "a joint forward plan", "the SHA"."""
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    found: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    for i, (word, _, _) in enumerate(tokens):
        if i in taken:
            continue
        if _BODY_HEAD.match(word) or _is_acronym(word):
            first, last = _extend(tokens, i)
            phrase_tokens = [t[0] for t in tokens[first : last + 1]]
            taken.update(range(first, last + 1))
            determiner = tokens[first - 1][0] if first > 0 and tokens[first - 1][0].lower() in ("the", "a", "an") else ""
            phrase = " ".join(phrase_tokens)
            found.append((first, last, f"{determiner} {phrase}" if determiner else phrase))
    outer = [f for f in found if not any(o is not f and o[0] <= f[0] and f[1] <= o[1] for o in found)]
    return [phrase for *_, phrase in sorted(outer)]


def _extend(tokens: list[tuple[str, int, int]], head: int) -> tuple[int, int]:
    """The span of the noun phrase around a head word: capitalised words and modifiers to its
    left, an "of/on/for Capitalised..." tail to its right."""
    first = head
    while first > 0:
        word = tokens[first - 1][0]
        if word.lower() in _NOT_IN_A_NAME or (word[0].isupper() and word in _GENERIC_OPENERS):
            break
        if first - 1 == 0 and word in _GENERIC_OPENERS:
            break
        if head - first >= 4:
            break
        first -= 1
        if re.search(r"['’]s$", word):
            break  # "Labour's 10-year plan": the possessive opens the phrase
    last = head
    while _is_acronym(tokens[head][0]) and last + 1 < len(tokens) and tokens[last + 1][0][0].isupper() \
            and tokens[last + 1][0] not in _GENERIC_OPENERS:
        last += 1  # "NHS England"
    while last + 2 < len(tokens) and tokens[last + 1][0] in _CONNECTOR - {"the", "and", "to"} \
            and tokens[last + 2][0][0].isupper():
        last += 2
        while last + 1 < len(tokens) and tokens[last + 1][0][0].isupper():
            last += 1
    return first, last


def _capitalised_runs(text: str) -> list[tuple[list[str], bool]]:
    """Runs of consecutive capitalised words, and whether each opens a sentence."""
    runs: list[tuple[list[str], bool]] = []
    current: list[str] = []
    at_start = True
    opens = True
    previous_end = 0
    for match in _TOKEN.finditer(text):
        gap = text[previous_end : match.start()]
        word = match.group()
        joined = current and gap in (" ", "\u00a0")
        if not joined and current:
            runs.append((current, at_start))
            current = []
        if re.search(r"[.?!:;“”\"\n]", gap) or previous_end == 0:
            opens = True
        if word[0].isupper():
            if not current:
                at_start = opens
            current.append(word)
        elif current:
            runs.append((current, at_start))
            current = []
        opens = False
        previous_end = match.end()
    if current:
        runs.append((current, at_start))
    return runs


def _quoted_people(turn: Turn) -> list[str]:
    """Whom the answer quotes or attributes: comment speakers and document authors."""
    people: list[str] = []
    for citation in turn.answer.citations:
        for name in ([citation.speaker] if citation.speaker else []) + citation.author.split(", "):
            if name and name not in people:
                people.append(name)
    return people


def _is_attribution_only(person: str, turn: Turn) -> bool:
    """Named only as the author or commenter introducing a quote, not inside what was quoted."""
    return not any(_mentions(c.quote, person) for c in turn.answer.citations)


def _mentions(text: str, person: str) -> bool:
    return re.search(rf"\b{re.escape(person.split()[-1])}\b", text) is not None


def _head(phrase: str) -> str:
    for word in reversed(phrase.split()):
        if _BODY_HEAD.match(word) or _is_acronym(word):
            return word
    return phrase.split()[-1]


def _plural(phrase: str) -> bool:
    head = _head(phrase)
    return (bool(re.search(r"(?<!s)s$", head)) and not _is_acronym(head)) or bool(re.fullmatch(r"[A-Z]{2,6}s", head))


def _is_acronym(word: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Z&]{1,5}s?", word))


def _substitute(match: re.Match[str], referent: str) -> str:
    pronoun = match.group(0)
    suffix = _POSSESSIVE.get(pronoun.lower(), "")
    if pronoun.lower() == "her" and not _possessive_her(match):
        suffix = ""
    text = referent + suffix
    if match.start() == 0 or match.string[: match.start()].rstrip().endswith(("?", ".", "!")):
        return text[0].upper() + text[1:]
    return text


def _possessive_her(match: re.Match[str]) -> bool:
    """'her plan' (possessive) rather than 'ask her' (object): a word follows that is not a stopword."""
    after = re.match(r"\s+([A-Za-z]+)", match.string[match.end() :])
    return after is not None and after.group(1).lower() not in STOPWORDS | _OBJECT
