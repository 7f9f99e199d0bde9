"""The draft video: the planned camera move over the keyframe, done by ffmpeg's filters in one pass.

A static shot holds the whole keyframe. For the other moves the keyframe is scaled OVERSCAN larger than the
frame once, and a crop window with per-frame expressions pans, tilts or sways over it. Moves that change the
framing (push in, pull out, dolly, crane) rescale every frame instead (`scale ... eval=frame`), then crop.
ffmpeg's `loop` filter repeats the one decoded still, so nothing is decoded per frame; x264 is what costs.
`zoompan` was measured as no faster and it steps by whole input pixels (visible judder on slow pushes).
Motion is eased with smoothstep; handheld is two incommensurate sines per axis.

Everything the storyboard draws as text stays inside `move_safe_margin()`, the part of the keyframe that no
move crops away.
"""

from __future__ import annotations

from pathlib import Path

from shotgraph.director.plan import CameraMove
from shotgraph.errors import RenderError
from shotgraph.media.encoding import segment_video_args
from shotgraph.media.ffmpeg import count_frames, run_ffmpeg
from shotgraph.stages.video import VideoBackend, VideoRequest

OVERSCAN = 0.15  # how much larger than the frame the keyframe is scaled, to leave room for the move
HANDHELD_PX = 0.012  # handheld sway amplitude, as a fraction of the frame width
ZOOM_MOVES = {CameraMove.PUSH_IN, CameraMove.PULL_OUT, CameraMove.DOLLY, CameraMove.CRANE}


def move_safe_margin() -> float:
    """Fraction of the keyframe's width/height at each edge that some move may crop away."""
    return OVERSCAN / (1 + OVERSCAN)


def text_bottom(move: CameraMove, free_above: float) -> float:
    """The lowest point (a fraction of the keyframe's height) where drawn text stays above `free_above` of the
    screen in every frame of `move`: a move shows a window 1/(1+OVERSCAN) of the keyframe tall, anywhere from
    its top to its bottom, so a point at y can reach y*(1+OVERSCAN) on screen."""
    return free_above if move is CameraMove.STATIC else free_above / (1 + OVERSCAN)


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def _progress(frames: int, eased: bool = True) -> str:
    """0 at the first frame, 1 at the last; smoothstep-eased unless `eased` is False."""
    p = f"min(n/{max(frames - 1, 1)},1)"
    return f"({p}*{p}*(3-2*{p}))" if eased else f"({p})"


def _lerp(a: float, b: float, t: str) -> str:
    return f"({a:.4f}+({b - a:.4f})*{t})"


def move_filter(move: CameraMove, frames: int, fps: int, width: int, height: int) -> str:
    """The `-vf` graph for `move`, from a single still input to `frames` frames at width x height, yuv420p."""
    loop = f"loop=loop={frames - 1}:size=1:start=0,setpts=N/({fps}*TB)"
    t = _progress(frames)
    if move in ZOOM_MOVES:
        # z = how much the still is enlarged: 1 shows all of it, 1+OVERSCAN its central part
        full = 1 + OVERSCAN
        if move is CameraMove.PUSH_IN:
            z, fx, fy = _lerp(1.0, full, t), "0.5", "0.5"
        elif move is CameraMove.PULL_OUT:
            z, fx, fy = _lerp(full, 1.0, t), "0.5", "0.5"
        elif move is CameraMove.DOLLY:  # a steady push with a little drift: the camera travels, not zooms
            linear = _progress(frames, eased=False)
            z, fx, fy = _lerp(1.0, 1 + OVERSCAN * 0.7, linear), _lerp(0.35, 0.65, linear), "0.5"
        else:  # crane: rising and widening, the picture sinks in frame
            z, fx, fy = _lerp(full, 1.02, t), "0.5", _lerp(1.0, 0.0, t)
        scaled_w = f"2*trunc({width}*{z}/2+0.5)"
        scaled_h = f"2*trunc({height}*{z}/2+0.5)"
        # fx, fy: where the window sits in the room the enlargement leaves (0 = left/top, 1 = right/bottom)
        return (f"scale={width}:{height}:flags=lanczos,format=yuv444p,{loop},"
                f"scale=w='{scaled_w}':h='{scaled_h}':eval=frame:flags=bilinear,"
                f"crop=w={width}:h={height}:x='(iw-{width})*{fx}':y='(ih-{height})*{fy}',"
                f"format=yuv420p")
    if move is CameraMove.STATIC:  # the whole keyframe, held: the cheapest graph there is
        return f"scale={width}:{height}:flags=lanczos,format=yuv420p,{loop}"
    big_w, big_h = _even(width * (1 + OVERSCAN)), _even(height * (1 + OVERSCAN))
    room_x, room_y = big_w - width, big_h - height
    cx, cy = room_x / 2, room_y / 2
    if move is CameraMove.PAN_LEFT:  # the camera turns left: the window slides from the right to the left
        x, y = _lerp(room_x, 0, t), f"{cy}"
    elif move is CameraMove.PAN_RIGHT:
        x, y = _lerp(0, room_x, t), f"{cy}"
    elif move is CameraMove.TILT_UP:
        x, y = f"{cx}", _lerp(room_y, 0, t)
    elif move is CameraMove.TILT_DOWN:
        x, y = f"{cx}", _lerp(0, room_y, t)
    elif move is CameraMove.TRACKING:  # alongside a moving subject: constant speed, a slight step bob
        linear = _progress(frames, eased=False)
        x = _lerp(0, room_x, linear)
        y = f"({cy}+{room_y * 0.06:.3f}*sin(2*PI*n/{fps}*1.8))"
    elif move is CameraMove.HANDHELD:  # two incommensurate sines per axis, frame-rate independent
        a = min(HANDHELD_PX * width, room_x / 2 * 0.8, room_y / 2 * 0.8 * width / height)
        s = f"(n/{fps})"
        x = f"({cx}+{a:.3f}*(0.65*sin(2*PI*0.53*{s})+0.35*sin(2*PI*1.37*{s}+1.1)))"
        y = f"({cy}+{a * 0.7:.3f}*(0.6*sin(2*PI*0.71*{s}+0.4)+0.4*sin(2*PI*1.91*{s}+2.3)))"
    else:
        raise ValueError(f"no camera graph for move {move!r}")
    # yuv444p, not yuv420p, while cropping: a 4:2:0 crop snaps to even offsets and the motion would step 2 px
    return (f"scale={big_w}:{big_h}:flags=lanczos,format=yuv444p,{loop},"
            f"crop=w={width}:h={height}:x='{x}':y='{y}',format=yuv420p")


class CameraMoveVideo(VideoBackend):
    """Push in, pull out, pan, tilt, dolly, tracking, crane, handheld or static over the keyframe."""

    name = "camera"
    version = "1"

    def cache_params(self) -> dict[str, object]:
        return {"overscan": OVERSCAN, "handheld": HANDHELD_PX}

    def render(self, request: VideoRequest, out: Path) -> None:
        # 1. Check inputs
        if request.frames < 1:
            raise RenderError(f"shot {request.shot.id}: a clip needs at least 1 frame, got {request.frames}")
        if request.width % 2 or request.height % 2:
            raise RenderError(f"shot {request.shot.id}: width and height must be even for H.264, "
                              f"got {request.width}x{request.height}")
        if not Path(request.keyframe).is_file():
            raise RenderError(f"shot {request.shot.id}: keyframe {request.keyframe} does not exist")

        # 2. One ffmpeg pass: still -> moving window -> segment encoding
        graph = move_filter(request.shot.move, request.frames, request.fps, request.width, request.height)
        run_ffmpeg(["-i", str(request.keyframe), "-vf", graph, "-frames:v", str(request.frames),
                    *segment_video_args(request.fps), "-f", "mp4", str(out)],
                   what=f"moving the camera ({request.shot.move.value}) for shot {request.shot.id}")

        # 3. Exactly the frames the timeline asked for (invariant 7)
        got = count_frames(out)
        if got != request.frames:
            raise RenderError(f"shot {request.shot.id}: camera clip has {got} frames, expected {request.frames}")

