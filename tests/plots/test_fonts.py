"""Tests for perflab.plots.fonts: Bangla fonts are found, and their absence falls back to English once."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import polib
import pytest
from matplotlib import font_manager

from perflab import i18n
from perflab.plots import fonts
from perflab.plots.fonts import MissingFontWarning, find_bengali_font, labels_language, plot_text, setup_fonts
from perflab.i18n import use_language
from font_kit import needs_bengali_font

NOTO_BENGALI = Path("/usr/share/fonts/truetype/noto/NotoSansBengali-Regular.ttf")
# Copied from fonts._warn_missing_font: the msgid is the English text itself.
MISSING_FONT_MSGID = (
    "No installed font can draw Bangla letters, so plot labels will be in English. "
    "To see them in Bangla, install the Noto Sans Bengali font "
    "(on Debian or Ubuntu: sudo apt install fonts-noto-core) and restart the kernel."
)
MISSING_FONT_BN = "বাংলা অক্ষর আঁকার মতো কোনো ফন্ট নেই, তাই প্লটের লেখা ইংরেজিতে থাকবে।"
TIME_BN = "সময় (সেকেন্ড)"


@pytest.fixture(autouse=True)
def clean_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Give each test fresh font state, rcParams, language and font search."""
    for key in ("warned", "saved", "applied"):
        monkeypatch.setitem(fonts._state, key, fonts._state[key])
    fonts._state.update(warned=False, saved=None, applied=None)
    monkeypatch.setitem(i18n._state, "lang", "en")
    find_bengali_font.cache_clear()
    with matplotlib.rc_context():
        yield
    find_bengali_font.cache_clear()


@pytest.fixture
def bn_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point perflab at a small Bangla catalog that translates the warning and one label."""
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid=MISSING_FONT_MSGID, msgstr=MISSING_FONT_BN))
    po.append(polib.POEntry(msgid="time (s)", msgstr=TIME_BN))
    po.append(polib.POEntry(msgid="{n} requests", msgstr="{n}টি অনুরোধ"))
    folder = tmp_path / "bn" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po.save(str(folder / "perflab.po"))
    monkeypatch.setenv("PERFLAB_LOCALES", str(tmp_path))


@pytest.fixture
def no_bengali_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend the machine has no font that draws Bangla."""
    monkeypatch.setattr(fonts, "find_bengali_font", lambda: None)


@needs_bengali_font
def test_bangla_puts_a_bengali_font_first_with_dejavu_behind() -> None:
    family = find_bengali_font()
    assert family is not None
    assert setup_fonts("bn") is True
    assert matplotlib.rcParams["font.family"] == [family, "DejaVu Sans"]
    assert matplotlib.rcParams["text.language"] == "bn"


@needs_bengali_font
def test_the_font_found_covers_bengali_letters() -> None:
    family = find_bengali_font()
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert fonts._covers_bengali(path)


@needs_bengali_font
def test_noto_sans_bengali_is_preferred_when_installed() -> None:
    if not NOTO_BENGALI.exists():
        pytest.skip("Noto Sans Bengali is not at its Debian path")
    assert find_bengali_font() == "Noto Sans Bengali"


def test_last_resort_font_never_counts_as_bengali() -> None:
    # It maps every code point to a box, so a naive coverage check would pick it.
    path = matplotlib.get_data_path() + "/fonts/ttf/LastResortHE-Regular.ttf"
    assert not fonts._covers_bengali(path)


@needs_bengali_font
def test_a_font_installed_after_matplotlib_cached_its_list_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cached = [e for e in font_manager.fontManager.ttflist if not fonts._covers_bengali(e.fname)]
    bengali = sorted(e.fname for e in font_manager.fontManager.ttflist if fonts._covers_bengali(e.fname))
    monkeypatch.setattr(font_manager.fontManager, "ttflist", cached)
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda: bengali)
    assert find_bengali_font() is not None


@needs_bengali_font
def test_russian_and_english_restore_matplotlib_settings() -> None:
    before = matplotlib.rcParams["font.family"]
    setup_fonts("bn")
    assert setup_fonts("ru") is True
    assert matplotlib.rcParams["font.family"] == before
    assert matplotlib.rcParams["text.language"] is None


@needs_bengali_font
def test_a_learners_own_font_choice_is_left_alone() -> None:
    setup_fonts("bn")
    matplotlib.rcParams["font.family"] = ["serif"]
    setup_fonts("en")
    assert matplotlib.rcParams["font.family"] == ["serif"]


@pytest.mark.usefixtures("bn_catalog", "no_bengali_font")
def test_missing_font_warns_once_in_the_learners_language() -> None:
    use_language("bn")
    with pytest.warns(MissingFontWarning) as caught:
        assert setup_fonts() is False
        setup_fonts()
        labels_language()
        plot_text("time (s)")
    assert len(caught) == 1
    assert str(caught[0].message) == MISSING_FONT_BN
    assert caught[0].filename == __file__  # shown at the learner's line, not inside perflab
    with warnings.catch_warnings(record=True) as later:
        warnings.simplefilter("always")
        setup_fonts()
    assert later == []


@pytest.mark.usefixtures("no_bengali_font")
def test_missing_font_warning_names_the_package_to_install() -> None:
    use_language("bn")  # no catalog for it here, so the English msgid shows
    with pytest.warns(MissingFontWarning, match="fonts-noto-core"):
        setup_fonts()


@pytest.mark.usefixtures("bn_catalog", "no_bengali_font")
def test_missing_font_falls_back_to_english_labels_only() -> None:
    use_language("bn")
    before = matplotlib.rcParams["font.family"]
    with pytest.warns(MissingFontWarning):
        assert labels_language() == "en"
    assert plot_text("time (s)") == "time (s)"
    assert plot_text("{n} requests", n=3) == "3 requests"
    assert i18n._("time (s)") == TIME_BN  # text outside plots stays in Bangla
    assert matplotlib.rcParams["font.family"] == before


@pytest.mark.usefixtures("bn_catalog")
def test_plot_text_translates_when_the_font_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "find_bengali_font", lambda: "Noto Sans Bengali")
    use_language("bn")
    assert labels_language() == "bn"
    assert plot_text("time (s)") == TIME_BN
    assert plot_text("{n} requests", n=3) == "3টি অনুরোধ"


@pytest.mark.usefixtures("no_bengali_font")
def test_russian_labels_need_no_extra_font() -> None:
    use_language("ru")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert setup_fonts() is True
        assert labels_language() == "ru"
