"""A screen that may be the first one shown: its first frame is rendered once, after the app's
start-up batch, not also inside it."""

from __future__ import annotations

from textual.screen import Screen


class FirstFrameOnce(Screen[None]):
    """Opened at start-up, a screen is laid out inside the app's start-up batch, where Textual
    renders a whole frame and then drops it (App._display draws nothing while batched): here the
    frame is rendered once, after the batch (on the terminal's resize, else
    ReaderApp._draw_skipped_frame), with all that is still dirty."""

    frame_skipped = False  # a frame was due inside the start-up batch

    def _compositor_refresh(self) -> None:
        if self.app._batch_count:  # noqa: SLF001 - private to Textual, which is pinned
            self.frame_skipped = True
            return
        self.frame_skipped = False
        super()._compositor_refresh()
