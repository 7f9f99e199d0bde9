"""Word lists the rule-based director reads a screenplay with: moods, times of day, ambiences, shot cues.

Lower-case words unless noted; matching is on whole words. Extend a list to teach the director a new cue.
"""

from __future__ import annotations

import re

from shotgraph.director.plan import TransitionKind

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

INSERT_OPENERS = ("CLOSE ON", "INSERT", "ECU", "EXTREME CLOSE", "ON THE", "CLOSE-UP")
INSERT_OBJECTS = frozenset(
    "letter envelope photo photograph phone note ring key keys watch clock knife gun pistol ticket glass cup "
    "mug map book page locket coin bottle pill pills button switch lock handle".split()
)
CLOSE_WORDS = frozenset("hands hand fingers eyes eye face lips tear tears".split())
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
SOUND_WORDS = frozenset(
    "gunshot gunshots bang crash slam slams knock knocks ring rings ringing thud boom buzz buzzes click clicks creak "
    "creaks horn siren bell bells whistle scream thunder splash beep beeps honk crack shatters smash explosion "
    "footsteps clang clatter rumble roar hiss chime chimes rustle flutter".split()
)
DETERMINERS = frozenset("a an the then and one another some every no".split())
SOUND_PARTICLES = frozenset("open shut closed off on up down out away in back loudly behind".split())
NOT_SOUNDS = frozenset("INT EXT EST CLOSE ON INSERT POV CONTINUOUS FADE CUT TO BACK ANGLE SUPER TITLE END THE V.O O.S"
                       " I OK TV".split())
CAPS_RUN = re.compile(r"\b[A-Z][A-Z'’-]+(?:\s+[A-Z][A-Z'’-]+)*\b")
AGE_NUMBER = re.compile(r"\((?:early |mid |late |mid-)?(\d{1,2})s?\)|\b(\d{1,2})[- ]year[- ]old\b", re.IGNORECASE)
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
FEMALE_WORDS = frozenset("she her hers herself woman girl mother wife sister daughter mrs ms miss lady".split())
MALE_WORDS = frozenset("he him his himself man boy father husband brother son mr sir".split())
