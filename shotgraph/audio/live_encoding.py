"""Encoding the mix while it is written: ffmpeg takes the WAV's samples as they land, on the other core."""

from __future__ import annotations

import threading
from pathlib import Path

CHANNELS = 2


class LiveEncoding:
    """One pass 2's mix encoded by ffmpeg while the pass writes it: a thread hands it the WAV's samples as they land.

    The encoder works on the other core. The WAV on disk is the buffer between them, so whichever is faster,
    memory holds no more than a block; a pass that is redone just stops its encoder.
    """

    def __init__(self, wav: Path, data_offset: int, out: Path, rate: int, args: list[str]):
        from shotgraph.media.ffmpeg import FfmpegPipe

        self._pipe = FfmpegPipe(["-f", "f32le", "-ar", str(rate), "-ac", str(CHANNELS), "-i", "pipe:0", *args,
                                 "-f", "mp4", str(out)], what=f"encoding the mix into {out.name}")
        self._wav = wav
        self._sent = data_offset
        self._end = data_offset  # samples are on disk up to this byte
        self._complete = False  # the pass has written its last block
        self._stopped = False
        self._failure: Exception | None = None
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._feed, name="mix-encoder", daemon=True)
        self._thread.start()

    def written(self, end: int | None) -> None:
        """The WAV holds samples up to byte `end`; None: the pass is complete."""
        with self._changed:
            if end is None:
                self._complete = True
            else:
                self._end = end
            self._changed.notify()

    def _feed(self) -> None:
        try:
            with open(self._wav, "rb") as wav:
                while True:
                    with self._changed:
                        self._changed.wait_for(lambda: self._end > self._sent or self._complete or self._stopped)
                        end, complete = self._end, self._complete
                    if self._stopped:
                        return
                    self._pipe.send_file(wav.fileno(), self._sent, end - self._sent)
                    self._sent = end
                    if complete:
                        return
        except Exception as exc:  # handed to finish(), on the mixing thread
            self._failure = exc

    def finish(self) -> None:
        """Wait for the encoder to take the rest and write its file; RenderError if it failed."""
        self.written(None)
        self._thread.join()
        self._pipe.close()  # ffmpeg's own message first: a failed feed is most often ffmpeg failing
        if self._failure is not None:
            raise self._failure

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify()
        self._pipe.kill()
        self._thread.join()
        self._pipe.close()
