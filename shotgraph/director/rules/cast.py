"""The film's characters as the rules director sees them: ids, looks and voices from the screenplay's words."""

from __future__ import annotations

import re
import unicodedata

from shotgraph.director.lexicon import (
    AGE_NUMBER,
    BUILD_WORDS,
    CLOTHES,
    FEMALE_WORDS,
    HAIR_PATTERN,
    MALE_WORDS,
    TIMBRE_WORDS,
    WARDROBE_PATTERN,
)
from shotgraph.director.nonspeaking import film_characters
from shotgraph.director.plan import (
    CharacterPlan,
    Voice,
)
from shotgraph.director.rules.timing import word_list
from shotgraph.director.screenplay.model import (
    Action,
    Character,
    Screenplay,
)


def slug(name: str) -> str:
    """A readable id from a name: accents dropped ("HÉLÈNE" -> "helene"), letters of any script kept
    ("ΕΛΈΝΗ" -> "ελενη"), everything else a hyphen."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name.lower()) if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "-", plain).strip("-") or "character"


def character_plans(screenplay: Screenplay) -> list[CharacterPlan]:
    plans: list[CharacterPlan] = []
    used: set[str] = set()
    actions = [e.text for e in screenplay.elements() if isinstance(e, Action)]
    for character in film_characters(screenplay):
        base = slug(character.name)
        cid, n = base, 2
        while cid in used:
            cid, n = f"{base}-{n}", n + 1
        used.add(cid)
        voice = _voice(character, actions)
        plans.append(CharacterPlan(id=cid, name=character.name, look=_look(character, voice), voice=voice))
    return plans


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# "her" is possessive (counts) unless an object: then a stop word or the sentence end follows it
_OBJECT_FOLLOWERS = frozenset("and as to with at in on from for up down off out back a the but or".split())


def _gender_votes(character: Character, actions: list[str]) -> tuple[int, int]:
    """(female, male) pronoun votes that point at this character, not at whoever they are with.

    Counted: the introduction sentence; possessive his / her and subject he / she after the name in a sentence
    that names them; a sentence opening with He / She right after one that names them; a gendered name
    (MRS. HALE, WAITRESS) thrice.
    """
    name = re.compile(rf"\b{re.escape(character.name)}\b", re.IGNORECASE)
    texts = [character.introduction or ""]
    for paragraph in actions:
        previous_named = False
        for sentence in _SENTENCE.split(paragraph):
            match = name.search(sentence)
            if match:
                texts.append(sentence[match.end():])
            elif previous_named and re.match(r"(?:She|He)\b", sentence):
                texts.append(sentence.split()[0])
            previous_named = match is not None
    female = male = 0
    for text in texts:
        words = word_list(text)
        for i, w in enumerate(words):
            if w == "her":
                following = words[i + 1] if i + 1 < len(words) else ""
                female += bool(following) and following not in _OBJECT_FOLLOWERS
            elif w in {"him"}:
                continue  # an object pronoun usually points at someone else
            else:
                female += w in FEMALE_WORDS
                male += w in MALE_WORDS
    named = word_list(character.name)  # "MRS. HALE", "OLD MAN", "WAITRESS": the name itself says
    female += 3 * sum(w in FEMALE_WORDS for w in named)
    male += 3 * sum(w in MALE_WORDS for w in named)
    return female, male


def _voice(character: Character, actions: list[str]) -> Voice:
    female, male = _gender_votes(character, actions)
    gender = "female" if female > male else "male" if male > female else "neutral"
    intro = character.introduction or ""
    intro_words = set(word_list(intro))
    timbre = next((t for t, cues in TIMBRE_WORDS.items() if intro_words & set(cues)), "")
    return Voice(gender=gender, age=_age_group(intro), timbre=timbre)


def _age_number(intro: str) -> int | None:
    match = AGE_NUMBER.search(intro)
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


def _age_group(intro: str) -> str:
    age = _age_number(intro)
    words = set(word_list(intro))
    if age is not None:
        return "child" if age < 13 else "young" if age < 30 else "adult" if age < 60 else "elderly"
    if words & {"kid", "child", "boy", "girl", "toddler"}:
        return "child"
    if words & {"teen", "teenager", "young", "youthful"}:
        return "young"
    if words & {"old", "elderly", "aging", "ageing", "aged", "grey-haired", "gray-haired", "white-haired"}:
        return "elderly"
    return "adult"


def _wardrobe(phrase: str) -> str:
    """'a yellow oilskin and a wool hat older than most' -> 'yellow oilskin and a wool hat'; '' if no clothes."""
    words = phrase.lower().split()
    last = max((i for i, w in enumerate(words) if w.strip("'’s") in CLOTHES or w in CLOTHES), default=None)
    return " ".join(words[: last + 1]) if last is not None else ""


def _look(character: Character, voice: Voice) -> str:
    """An image-prompt description from the introduction sentence; a neutral one when there is none."""
    intro = character.introduction or ""
    person = {"female": "woman", "male": "man"}.get(voice.gender, "person")
    age = _age_number(intro)
    if age is not None and age >= 20:
        pronoun = {"woman": "her", "man": "his"}.get(person, "their")
        head = f"{person} in {pronoun} {(age // 10) * 10}s"
    elif age is not None:
        head = f"teenage {person}" if age >= 13 else {"woman": "girl", "man": "boy"}.get(person, "child")
    else:
        head = {"child": f"young {person}", "young": f"young {person}", "elderly": f"elderly {person}"}.get(
            voice.age, f"adult {person}"
        )
    intro_lower = intro.lower()
    parts = [head]
    parts += [w for w in BUILD_WORDS if re.search(rf"\b{re.escape(w)}\b", intro_lower)]
    parts += [m.group(0).lower() for m in HAIR_PATTERN.finditer(intro)]
    parts += [w for w in (_wardrobe(m.group(2)) for m in WARDROBE_PATTERN.finditer(intro)) if w][:2]
    if len(parts) == 1:
        parts.append("plain everyday clothes, neutral expression")
    return ", ".join(dict.fromkeys(p for p in parts if p))


class Cast:
    """The film's characters as the breakdown looks for them: ids by name, looks, and their names in action."""

    def __init__(self, characters: list[CharacterPlan], silent: set[str]):
        self.ids = {c.name: c.id for c in characters}
        self.by_caps = {c.name.upper(): c.id for c in characters}
        self.names = {c.id: c.name for c in characters}
        self.looks = {c.id: c.look for c in characters}
        # A speaker is found in any case ("Mara", "MARA"). A non-speaking one only in capitals or capitalised,
        # as introduced: a lower-case "the waitress" may be anyone's waitress.
        self.patterns = [
            (c.id, re.compile(rf"\b(?:{re.escape(c.name)}|{re.escape(c.name.title())})\b") if c.name in silent
             else re.compile(rf"\b{re.escape(c.name)}\b", re.IGNORECASE))
            for c in sorted(characters, key=lambda c: len(c.name), reverse=True)
        ]
        self.name_words = {w.strip(".'’") for name in self.ids for w in name.upper().split()}
        self._name_word: dict[str, bool] = {}

    def is_name_word(self, token: str) -> bool:
        if token not in self._name_word:  # asked once per distinct token, however long the script
            self._name_word[token] = re.sub(r"['’]S$", "", token.upper()).strip(".'’") in self.name_words
        return self._name_word[token]
