"""User configuration from a TOML file: labels, annotator and key remapping.

    # ~/.config/close-reader/config.toml (or --config PATH, or READER_CONFIG)
    labels = ["commitment", "claim", "background"]
    annotator = "asha"
    retrain_every = 25  # labels between background retrains of the suggestions (0: never)
    theme = "textual-light"  # until a theme is chosen in the palette (ctrl+p), which is saved
    [keymap]            # binding id = keys, as listed by `?` in the reader
    "article.next" = "j,down,right"

Command-line options and environment variables win over the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from reader.model import LabelSet


class ConfigError(ValueError):
    """The configuration file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Config:
    labels: LabelSet | None = None
    annotator: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    retrain_every: int = 25
    theme: str | None = None


def check_annotator(name: str) -> str:
    """An annotator name as given, trimmed; ValueError when it holds control characters or
    escape sequences (it is shown in the status bar and stored with every label)."""
    from reader.sanitize import clean_field

    name = name.strip()
    if not name:
        raise ValueError("the annotator name is empty")
    if clean_field(name) != name:
        raise ValueError("the annotator name holds control characters, escape sequences or line breaks")
    from reader.limits import MAX_NAME_CHARS

    if len(name) > MAX_NAME_CHARS:  # labels under it could not be restored from an export nor merged
        raise ValueError(f"the annotator name is longer than {MAX_NAME_CHARS} characters")
    return name


def default_path() -> Path:
    env = os.environ.get("READER_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("close-reader", appauthor=False)) / "config.toml"


def theme_path() -> Path:
    """Where the theme last chosen in the reader is kept (the user-state folder)."""
    from platformdirs import user_state_dir

    return Path(user_state_dir("close-reader", appauthor=False)) / "theme"


def saved_theme(path: Path | None = None) -> str | None:
    """The theme last chosen in the reader, or None (nothing saved, or the file unreadable)."""
    from reader.sanitize import clean_field

    try:
        name = (path or theme_path()).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if name and len(name) <= 100 and clean_field(name) == name else None


def save_theme(name: str, path: Path | None = None) -> None:
    """Keep the chosen theme for the next start; a folder that cannot be written is no error
    (the theme is then simply not remembered)."""
    import tempfile

    path = path or theme_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=".theme-", delete=False) as tmp:
            tmp.write(name + "\n")
        os.replace(tmp.name, path)
    except OSError:
        pass


def load(path: Path | None = None) -> Config:
    """Read the configuration; a missing default file is an empty configuration."""
    explicit = path is not None or bool(os.environ.get("READER_CONFIG"))
    path = path or default_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"config file {path} does not exist") from None
        return Config()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    import tomllib  # only when there is a file to read: most starts have none

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return _parse(data, path)


def _parse(data: dict, path: Path) -> Config:
    unknown = set(data) - {"labels", "annotator", "keymap", "retrain_every", "theme"}
    if unknown:
        raise ConfigError(f"config file {path}: unknown setting {sorted(unknown)[0]!r} (known: labels, annotator, keymap, retrain_every, theme)")
    theme = data.get("theme")
    if theme is not None and (not isinstance(theme, str) or not theme.strip()):
        raise ConfigError(f'config file {path}: theme must be a theme name, e.g. "textual-light" or "textual-dark"')
    retrain_every = data.get("retrain_every", 25)
    if not isinstance(retrain_every, int) or isinstance(retrain_every, bool) or retrain_every < 0:
        raise ConfigError(f"config file {path}: retrain_every must be a whole number of labels (0 never retrains)")
    labels = data.get("labels")
    label_set = None
    if labels is not None:
        if isinstance(labels, list) and all(isinstance(x, str) for x in labels):
            labels = ",".join(labels)
        if not isinstance(labels, str):
            raise ConfigError(f"config file {path}: labels must be a list of names")
        try:
            label_set = LabelSet.parse(labels)
        except ValueError as exc:
            raise ConfigError(f"config file {path}: {exc}") from None
    annotator = data.get("annotator")
    if annotator is not None and (not isinstance(annotator, str) or not annotator.strip()):
        raise ConfigError(f"config file {path}: annotator must be a non-empty string")
    if annotator is not None:
        try:
            annotator = check_annotator(annotator)
        except ValueError as exc:
            raise ConfigError(f"config file {path}: {exc}") from None
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()):
        raise ConfigError(f'config file {path}: keymap must map binding ids to keys, e.g. "article.next" = "j,down"')
    return Config(labels=label_set, annotator=annotator.strip() if annotator else None, keymap=dict(keymap), retrain_every=retrain_every,
                  theme=theme.strip() if theme else None)
