"""Word lists the rule-based director reads a screenplay with: moods, times of day, ambiences, shot cues.

Lower-case words unless noted; matching is on whole words. Extend a list to teach the director a new cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from shotgraph.director.plan import CameraMove, ShotSize, TransitionKind

# On a tie the mood listed first wins, so the gentler reading is preferred over "tense".
MOOD_WORDS: dict[str, tuple[str, ...]] = {
    "melancholy": ("alone", "grief", "funeral", "grave", "tears", "cries", "crying", "loss", "lost", "goodbye",
                   "remember", "memory", "old", "rain", "sorry", "miss", "last", "letter", "letters", "photograph",
                   "dead", "died", "quietly", "sigh", "sighs", "late", "never"),
    "warm": ("smiles", "smile", "laughs", "hug", "hugs", "kitchen", "coffee", "home", "gentle", "gently", "kind",
             "warm", "together", "love", "holds", "tea", "family"),
    "calm": ("calm", "flat", "still", "quiet", "morning", "peaceful", "slowly", "pale", "silver", "soft"),
    "eerie": ("fog", "mist", "shadow", "shadows", "darkness", "silent", "silence", "empty", "abandoned", "flicker",
              "flickers", "ghost", "whisper", "whispers", "strange", "creaks", "hollow", "nobody"),
    "joyful": ("laugh", "laughter", "dance", "dances", "party", "celebrate", "cheers", "grins", "delighted", "music",
               "sings", "bright", "sunny", "wedding", "joy"),
    "romantic": ("kiss", "kisses", "darling", "heart", "lovers", "candle", "candles", "embrace"),
    "tense": ("gun", "gunshot", "knife", "blood", "scream", "run", "runs", "chase", "panic", "afraid", "fear",
              "threat", "danger", "alarm", "siren", "grabs", "slams", "shouts", "yells", "hurry", "urgent", "tense",
              "shaking", "trembling", "police", "fight", "attack", "hide", "trap", "storm", "gusting", "swell",
              "worried", "worries", "skids"),
}
DEFAULT_MOOD = "calm"

# mood -> (tempo bpm, instruments, intensity)
MUSIC_BY_MOOD: dict[str, tuple[int, list[str], float]] = {
    "tense": (120, ["low strings", "synth pulse", "percussion"], 0.75),
    "eerie": (60, ["drone pad", "bowed metal", "sparse piano"], 0.45),
    "melancholy": (66, ["solo piano", "cello"], 0.35),
    "warm": (88, ["acoustic guitar", "soft strings"], 0.4),
    "joyful": (112, ["acoustic guitar", "glockenspiel", "hand claps"], 0.6),
    "romantic": (76, ["piano", "strings"], 0.4),
    "calm": (72, ["ambient pad", "piano"], 0.25),
}

TIME_OF_DAY: dict[str, str] = {
    "NIGHT": "night", "MIDNIGHT": "night", "LATE NIGHT": "night",
    "DAY": "day", "MORNING": "day", "AFTERNOON": "day", "NOON": "day", "LATE MORNING": "day",
    "DAWN": "dawn", "SUNRISE": "dawn", "EARLY MORNING": "dawn", "FIRST LIGHT": "dawn",
    "DUSK": "dusk", "SUNSET": "dusk", "EVENING": "dusk", "TWILIGHT": "dusk", "MAGIC HOUR": "dusk",
}
# times that continue the previous scene's time of day
CONTINUING_TIMES = ("CONTINUOUS", "LATER", "MOMENTS LATER", "SAME", "SAME TIME", "CONT")

AMBIENCE_WORDS: dict[str, tuple[str, ...]] = {
    "rain": ("rain", "raining", "drizzle", "downpour", "storm", "thunder"),
    "wind": ("wind", "gust", "gusts", "windswept", "breeze", "gale"),
    "sea": ("sea", "harbour", "harbor", "dock", "docks", "pier", "ferry", "beach", "ocean", "waves", "boat", "shore",
            "jetty", "gulls", "quay", "wharf"),
    "traffic": ("street", "road", "traffic", "highway", "car", "cars", "city", "avenue", "intersection"),
    "forest": ("forest", "woods", "trees", "woodland", "clearing"),
    "crowd": ("crowd", "bar", "restaurant", "party", "station", "market", "cafe", "café", "diner", "club", "pub",
              "terminal", "audience", "busy"),
}

TRANSITIONS: tuple[tuple[str, TransitionKind], ...] = (
    ("SMASH", TransitionKind.SMASH_CUT),
    ("MATCH", TransitionKind.MATCH_CUT),
    ("DISSOLVE", TransitionKind.DISSOLVE),
    ("FADE IN", TransitionKind.FADE_IN),
    ("FADE UP", TransitionKind.FADE_IN),
    ("FADE", TransitionKind.FADE_OUT),  # FADE OUT, FADE TO BLACK, FADE TO: fade out into the next shot
    ("CUT", TransitionKind.CUT),
)
STANDALONE_TRANSITION = re.compile(r"^(FADE IN|FADE OUT|FADE TO BLACK|FADE UP)[:.]?$")

INSERT_OBJECTS = frozenset(
    "letter envelope photo photograph phone note ring key keys watch clock knife gun pistol ticket glass cup "
    "mug map book page locket coin bottle pill pills button switch lock handle radio handset screen".split()
)
# Body parts that make a close-up when they are the subject ("His hands shake.", "Mara's eyes fill."): only
# nouns, and only after a possessive, so "She hands him the key" and "Wind tears through the pines" do not.
CLOSE_WORDS = frozenset("hands hand fingers fist fists knuckles eyes eye face lips mouth cheek cheeks jaw".split())
POSSESSIVES = frozenset("his her their its my your".split())
TRACKING_VERBS = frozenset(
    "runs run running chases chase hurries hurry drives drive follows follow races sprints flees rushes".split()
)
PAN_VERBS = frozenset(
    "walks walk crosses cross enters enter exits exit steps climbs strides wanders paces moves turns heads"
    .split()
)
EMOTIONAL_WORDS = ("cry", "crying", "tear", "sob", "whisper", "soft", "quiet", "angr", "shout", "yell", "scream",
                   "trembl", "shak", "break", "choke", "hoarse", "furious", "plead", "desperate", "barely",
                   "voice cracks")
PERSON_NOUNS = frozenset(
    "man woman men women boy girl kid child children dockhand officer officers waiter waitress nurse doctor driver "
    "guard guards cop cops stranger captain crew passenger passengers soldier soldiers clerk bartender deckhand "
    "figure people police teenager mother father".split()
)
# Sounds in their base form; inflected forms ("BARKS", "rumbled", "DRIPPING") are matched through base_forms.
SOUND_WORDS = frozenset(
    "gunshot bang crash slam knock ring thud thump boom buzz click creak squeak horn siren bell whistle scream "
    "screech shriek howl growl bark thunder splash beep honk crack crackle snap pop shatter smash explosion explode "
    "footstep clang clank clink clatter rattle rumble roar hiss chime rustle flutter echo drip sputter sizzle "
    "tick ding wail".split()
)
DETERMINERS = frozenset("a an the then and one another some every no".split())
# Subjects that are not part of a sound's name: "It BANGS" is a bang, "She SLAMS the door" a door slam.
PRONOUNS = frozenset("i you he she it we they".split())
SOUND_PARTICLES = frozenset("open shut closed off on up down out away in back loudly behind".split())
NOT_SOUNDS = frozenset("INT EXT EST CLOSE ON INSERT POV CONTINUOUS FADE CUT TO BACK ANGLE SUPER TITLE END THE V.O O.S"
                       " I OK TV".split())
# Words in capitals, one after another. The first branch takes the whole run without backtracking (re would
# otherwise keep a mark per word to give back: 50 MB for a run of 260,000 words); only where the run's end is
# no word boundary ("THE DOGs") does the second, backtracking branch find the shorter run that ends on one.
_CAPS = r"[A-Z][A-Z'’-]"
CAPS_RUN = re.compile(rf"\b(?:{_CAPS}++(?:\s++{_CAPS}++)*+\b|{_CAPS}+(?:\s+{_CAPS}+)*\b)")


@lru_cache(maxsize=1 << 16)  # a script repeats its words: each is inflected once
def base_forms(word: str) -> frozenset[str]:
    """The word and the forms it may be inflected from: 'slams' -> slam, 'rumbled' -> rumble, 'dripping' -> drip.

    Over-generates ('buzzes' also gives 'buzze'); callers look the forms up in a word list, where the extra
    forms find nothing.
    """
    word = word.lower()
    forms = {word}
    for suffix in ("s", "es", "d", "ed", "ing"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 2:
            forms.add(stem)
            if suffix in ("ed", "ing"):
                forms.add(stem + "e")  # rumbling -> rumble
                if stem[-1] == stem[-2]:
                    forms.add(stem[:-1])  # dripping -> drip
    return frozenset(forms)


# --- Camera directions written in action ("CLOSE ON the key.", "MARA'S POV - the trunk", "We PULL BACK"). ---
# Read in capitals only: screenplays write camera directions in caps, and a lower-case "pan" or "insert" is a
# word of the story. FDX "Shot" paragraphs reach the director as action, so they are read the same way.

# A size direction opens a paragraph or a sentence and sizes the shot it begins; "NAME'S POV" puts the camera
# behind NAME's eyes. The longest phrase that matches wins.
SIZE_DIRECTIONS: dict[str, ShotSize] = {
    "EXTREME CLOSE ON": ShotSize.EXTREME_CLOSE_UP, "EXTREME CLOSE-UP": ShotSize.EXTREME_CLOSE_UP,
    "EXTREME CLOSE UP": ShotSize.EXTREME_CLOSE_UP, "EXTREME CLOSEUP": ShotSize.EXTREME_CLOSE_UP,
    "ECU": ShotSize.EXTREME_CLOSE_UP, "XCU": ShotSize.EXTREME_CLOSE_UP,
    "MEDIUM CLOSE-UP": ShotSize.MEDIUM_CLOSE_UP, "MEDIUM CLOSE UP": ShotSize.MEDIUM_CLOSE_UP,
    "MEDIUM CLOSE ON": ShotSize.MEDIUM_CLOSE_UP, "MCU": ShotSize.MEDIUM_CLOSE_UP,
    "CLOSE ON": ShotSize.CLOSE_UP, "CLOSE-UP": ShotSize.CLOSE_UP, "CLOSE UP": ShotSize.CLOSE_UP,
    "CLOSEUP": ShotSize.CLOSE_UP, "CU": ShotSize.CLOSE_UP,
    "MEDIUM SHOT": ShotSize.MEDIUM, "MEDIUM ON": ShotSize.MEDIUM, "ANGLE ON": ShotSize.MEDIUM,
    "NEW ANGLE": ShotSize.MEDIUM, "REVERSE ANGLE": ShotSize.MEDIUM,
    "EXTREME WIDE": ShotSize.EXTREME_WIDE, "ESTABLISHING": ShotSize.EXTREME_WIDE, "AERIAL": ShotSize.EXTREME_WIDE,
    "WIDE ON": ShotSize.WIDE, "WIDE SHOT": ShotSize.WIDE, "WIDE ANGLE": ShotSize.WIDE, "WIDE": ShotSize.WIDE,
    "OVER THE SHOULDER": ShotSize.OVER_THE_SHOULDER, "OVER-THE-SHOULDER": ShotSize.OVER_THE_SHOULDER,
    "OTS": ShotSize.OVER_THE_SHOULDER,
    "TWO SHOT": ShotSize.TWO_SHOT, "TWO-SHOT": ShotSize.TWO_SHOT,
    "INSERT": ShotSize.INSERT,
    "POV": ShotSize.POV, "P.O.V.": ShotSize.POV,
}
SIZE_DIRECTION = re.compile(
    r"(?:(?P<owner>[A-Z][A-Z .'’-]*?)['’]S\s+)?(?P<direction>"
    + "|".join(re.escape(d) for d in sorted(SIZE_DIRECTIONS, key=len, reverse=True))
    + r")(?![\w'’-])(?:\s+SHOT\b)?[\s:–—-]*"
)
# A paragraph that only hands the scene back to its master shot: no shot of its own.
RETURN_DIRECTION = re.compile(r"(?:BACK TO (?:THE )?SCENE|END (?:POV|INSERT|FLASHBACK)|RESUME SCENE)\b[.:]?\s*")

# Camera moves, anywhere in an action paragraph, as base verb + particle; inflected verbs ("TILTS UP",
# "PANNING") match too. The longest phrase that matches wins.
MOVE_DIRECTIONS: dict[str, CameraMove] = {
    "push in": CameraMove.PUSH_IN, "dolly in": CameraMove.PUSH_IN, "zoom in": CameraMove.PUSH_IN,
    "move in": CameraMove.PUSH_IN, "creep in": CameraMove.PUSH_IN,
    "pull back": CameraMove.PULL_OUT, "pull out": CameraMove.PULL_OUT, "dolly out": CameraMove.PULL_OUT,
    "dolly back": CameraMove.PULL_OUT, "zoom out": CameraMove.PULL_OUT, "widen": CameraMove.PULL_OUT,
    "tilt up": CameraMove.TILT_UP, "tilt down": CameraMove.TILT_DOWN, "tilt": CameraMove.TILT_UP,
    "pan left": CameraMove.PAN_LEFT, "pan right": CameraMove.PAN_RIGHT, "pan": CameraMove.PAN_RIGHT,
    "whip pan": CameraMove.PAN_RIGHT,
    "track": CameraMove.TRACKING, "steadicam": CameraMove.TRACKING,
    "crane": CameraMove.CRANE, "dolly": CameraMove.DOLLY, "handheld": CameraMove.HANDHELD,
}
# Words that only ever direct the camera: never a sound, never a character.
CAMERA_WORDS = frozenset(
    w.strip(".:") for phrase in (*SIZE_DIRECTIONS, *(m.upper() for m in MOVE_DIRECTIONS)) for w in phrase.split()
) | {"CAMERA", "SHOT", "SCENE", "REVEAL", "REVEALS"}

# Where a forced heading (".THE BACK ROOM - LATER") has no INT. or EXT., the location's words tell which.
INTERIOR_WORDS = frozenset(
    "inside room kitchen office bedroom bathroom hall hallway corridor lobby stairwell stairs staircase attic "
    "basement cellar garage studio apartment flat house home cabin wheelhouse cockpit church chapel chemist "
    "pharmacy shop store bar pub diner restaurant cafe café classroom library hospital ward clinic lab "
    "laboratory cell prison warehouse factory theatre theater cinema gym hotel motel elevator lift closet "
    "car van truck cab bus train carriage hut tent barn shed interior indoors".split()
)
EXTERIOR_WORDS = frozenset(
    "outside street road avenue lane alley highway field fields beach shore coast sea ocean harbour harbor pier "
    "dock quay jetty forest woods park garden yard backyard rooftop roof bridge river lake mountain mountains "
    "hill hills valley desert cliff cliffs square plaza courtyard parking lot cemetery graveyard meadow farm "
    "exterior outdoors sky town city village".split()
)


def location_is_inside(location: str) -> bool | None:
    """True or False where a location's words say inside or outside (and not both); None where they don't."""
    words = set(re.findall(r"[a-zé]+", location.lower()))
    inside, outside = bool(words & INTERIOR_WORDS), bool(words & EXTERIOR_WORDS)
    return inside if inside != outside else None


AGE_NUMBER = re.compile(r"\((?:early |mid |late |mid-)?(\d{1,2})s?\b[^()]*\)|\b(\d{1,2})[- ]year[- ]old\b",
                        re.IGNORECASE)
BUILD_WORDS = ("gaunt", "tall", "short", "stocky", "heavyset", "wiry", "slight", "lean", "broad-shouldered", "thin",
               "petite", "burly", "plump", "stooped", "athletic", "lanky", "frail", "muscular", "small", "big")
HAIR_PATTERN = re.compile(
    r"\b(?:[\w-]+[- ])?(?:haired|hair|beard|bearded|stubble|moustache|mustache|ponytail|braids?|bun|curls|bald)\b",
    re.IGNORECASE,
)
WARDROBE_PATTERN = re.compile(r"\b(?:in|wearing)\s+((?:an?|the|his|her|their)\s+)?([^,.;()]+)", re.IGNORECASE)
CLOTHES = frozenset(
    "coat jacket oilskin hat cardigan dress suit shirt sweater jumper scrubs uniform raincoat boots trainers tie "
    "hoodie jeans overalls apron robe gown scarf cap glasses spectacles pea-coat parka blazer skirt vest waistcoat "
    "overcoat mac anorak beanie gloves sandals shoes heels tracksuit cassock habit fleece t-shirt".split()
)
TIMBRE_WORDS: dict[str, tuple[str, ...]] = {
    "gravelly": ("gravelly", "gruff", "grizzled", "weathered", "hoarse", "smoker", "rough"),
    "warm": ("warm", "kind", "gentle", "soft-spoken", "motherly", "fatherly"),
    "bright": ("bright", "bubbly", "cheerful", "energetic", "lively", "quick"),
    "soft": ("shy", "quiet", "timid", "soft", "nervous", "fragile"),
    "deep": ("burly", "imposing", "big", "booming", "towering"),
    "crisp": ("sharp", "precise", "brisk", "crisp", "clipped"),
}
FEMALE_WORDS = frozenset(
    "she her hers herself woman girl mother wife sister daughter mrs ms miss lady waitress actress nun queen aunt "
    "grandmother grandma niece widow bride girlfriend landlady".split()
)
MALE_WORDS = frozenset(
    "he him his himself man boy father husband brother son mr sir lord waiter king uncle grandfather grandpa "
    "nephew widower groom boyfriend landlord priest monk".split()
)


def word_alternation(words: Iterable[str]) -> str:
    """A regex matching any of `words`, as a trie: "gasp(?:ing|s)?" rather than "gasping|gasps|gasp".

    Python's re tries every branch of a flat alternation at each word it passes; a trie gives up on most words
    at their first letter (the vocal sounds' 66 forms scanned a 5 MiB paragraph in 3.1 s flat, 0.5 s as a trie).
    """
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        group = branches[0] if len(branches) == 1 and "" not in node else "(?:" + "|".join(branches) + ")"
        return group + "?" if "" in node else group

    return pattern(root)
