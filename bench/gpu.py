"""The model crew on a GPU at real size (random weights): a ten-shot film's looks, keyframes, videos and
upscales (bf16), then its score, effects and ambience (MusicGen-medium-, AudioGen-medium- and Stable Audio
Open-shaped models), through the product's own backends and model manager.

    python bench/gpu.py                 # FLUX.2 klein-sized keyframes, LTX-Video 13B-sized motion, RRDBNet x2
    python bench/gpu.py --tiny          # the same script on tiny models, on the CPU: checks it runs

Per stage it prints: load seconds (building the model and placing it), pure model compute seconds (the
pipeline calls, CUDA-synchronised), wall seconds (the stage through the backend: frame I/O, encoding, the
OOM ladder), peak VRAM, frames per second, and the overhead ratio wall / compute (goal 1.05 or less). No
weights are downloaded: real-size architectures are built with random weights, so the timings are real and
the pictures are noise. For the sound stages fps is the real-time factor (seconds of audio a second). Record the
table in bench/RESULTS.md with the GPU named.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from shotgraph.characters.flux2_look import Flux2Look  # noqa: E402
from shotgraph.characters.look import LookRequest  # noqa: E402
from shotgraph.config import Profile, StageChoice  # noqa: E402
from shotgraph.director.plan import CharacterPlan, MusicCue, ScenePlan, Shot, ShotSize, Voice  # noqa: E402
from shotgraph.models.manager import ModelManager  # noqa: E402
from shotgraph.stages.flux2_keyframe import Flux2Keyframe  # noqa: E402
from shotgraph.stages.keyframe import KeyframeRequest  # noqa: E402
from shotgraph.stages.ltx_video import LtxVideo  # noqa: E402
from shotgraph.stages.realesrgan import RealEsrganUpscale  # noqa: E402
from shotgraph.stages.upscale import UpscaleRequest  # noqa: E402
from shotgraph.stages.video import VideoRequest  # noqa: E402

SHOT_SECONDS = [2.0, 3.5, 5.0, 2.5, 4.0, 3.0, 6.5, 2.0, 3.0, 4.5]  # ten shots; the 6.5 s one takes two chunks


def real_models(folder: Path) -> dict[str, Path]:
    """Real-size architectures, random weights, saved in bf16 for the backends' own loading code."""
    from diffusers import AutoencoderKLFlux2, AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler
    from diffusers import Flux2KleinPipeline, Flux2Transformer2DModel, LTXConditionPipeline
    from diffusers import LTXVideoTransformer3DModel
    from transformers import Qwen3Config, Qwen3ForCausalLM, T5Config, T5EncoderModel

    from tiny_models import tokenizer

    bf16 = torch.bfloat16
    with torch.device("cuda"):
        klein = Flux2KleinPipeline(  # about FLUX.2 klein 4B: 5 double + 20 single blocks of 24 x 128, Qwen3-4B
            scheduler=FlowMatchEulerDiscreteScheduler(), vae=AutoencoderKLFlux2().to(bf16),
            text_encoder=Qwen3ForCausalLM(Qwen3Config(hidden_size=2560, intermediate_size=9728, num_hidden_layers=36,
                                                      num_attention_heads=32, num_key_value_heads=8, head_dim=128,
                                                      vocab_size=1000)).to(bf16),
            tokenizer=tokenizer(),
            transformer=Flux2Transformer2DModel(num_layers=5, num_single_layers=20, num_attention_heads=24,
                                                attention_head_dim=128, joint_attention_dim=7680,
                                                guidance_embeds=False).to(bf16))
        klein.save_pretrained(folder / "klein")
        del klein
        ltx = LTXConditionPipeline(  # about LTX-Video 0.9.7 13B: 48 layers of 32 x 128, T5-XXL
            scheduler=FlowMatchEulerDiscreteScheduler(), vae=AutoencoderKLLTXVideo().to(bf16),
            text_encoder=T5EncoderModel(T5Config(vocab_size=1000, d_model=4096, d_kv=64, d_ff=10240, num_layers=24,
                                                 num_heads=64, decoder_start_token_id=0)).to(bf16),
            tokenizer=tokenizer(),
            transformer=LTXVideoTransformer3DModel(num_layers=48, num_attention_heads=32, attention_head_dim=128,
                                                   cross_attention_dim=4096, caption_channels=4096).to(bf16))
        ltx.save_pretrained(folder / "ltx")
        del ltx
    torch.cuda.empty_cache()
    return {"klein": folder / "klein", "ltx": folder / "ltx"}


def real_sound_models(folder: Path) -> dict[str, Path]:
    """MusicGen medium, AudioGen medium (MusicGen's LM over a 16 kHz EnCodec, T5-large) and Stable Audio Open."""
    from diffusers import AutoencoderOobleck, CosineDPMSolverMultistepScheduler, StableAudioDiTModel
    from diffusers import StableAudioPipeline, StableAudioProjectionModel
    from transformers import EncodecConfig, MusicgenConfig, MusicgenDecoderConfig, MusicgenForConditionalGeneration
    from transformers import T5Config, T5EncoderModel

    from tiny_models import tokenizer

    def musicgen(sampling_rate: int, ratios: list[int], text: T5Config, out: Path) -> Path:
        audio = EncodecConfig(sampling_rate=sampling_rate, upsampling_ratios=ratios, num_filters=64, hidden_size=128,
                              codebook_size=2048, target_bandwidths=[2.2], use_conv_shortcut=False,
                              norm_type="weight_norm", pad_mode="constant", num_lstm_layers=2)
        decoder = MusicgenDecoderConfig(vocab_size=2048, hidden_size=1536, num_hidden_layers=48,
                                        num_attention_heads=24, ffn_dim=6144, num_codebooks=4)
        model = MusicgenForConditionalGeneration(MusicgenConfig(text_encoder=text.to_dict(),
                                                                audio_encoder=audio.to_dict(),
                                                                decoder=decoder.to_dict()))
        model.generation_config.decoder_start_token_id = model.generation_config.pad_token_id = 2048
        model.save_pretrained(out)
        tokenizer().save_pretrained(out)
        return out

    t5_base = T5Config(vocab_size=1000, d_model=768, d_kv=64, d_ff=3072, num_layers=12, num_heads=12)
    t5_large = T5Config(vocab_size=1000, d_model=1024, d_kv=64, d_ff=4096, num_layers=24, num_heads=16)
    paths = {"musicgen": musicgen(32000, [8, 5, 4, 4], t5_base, folder / "musicgen"),
             "audiogen": musicgen(16000, [8, 5, 4, 2], t5_large, folder / "audiogen")}
    StableAudioPipeline(transformer=StableAudioDiTModel(), vae=AutoencoderOobleck(),
                        scheduler=CosineDPMSolverMultistepScheduler(), text_encoder=T5EncoderModel(t5_base),
                        tokenizer=tokenizer(max_length=128),
                        projection_model=StableAudioProjectionModel(text_encoder_dim=768, conditioning_dim=768,
                                                                    min_value=0, max_value=512)
                        ).save_pretrained(folder / "stable-audio")
    paths["stable-audio"] = folder / "stable-audio"
    return paths


def tiny_sound_models(folder: Path) -> dict[str, Path]:
    import tiny_models
    from shotgraph.audio.audiogen_checkpoint import convert

    audiocraft = tiny_models.audiocraft_audiogen(folder / "audiocraft")
    return {"musicgen": tiny_models.musicgen(folder / "musicgen"),
            "stable-audio": tiny_models.stable_audio(folder / "sa"),
            "audiogen": convert(audiocraft / "state_dict.bin", audiocraft / "compression_state_dict.bin",
                                tiny_models.t5_encoder(folder / "t5"), folder / "audiogen")}


def sound_rows(models: dict[str, Path], tiny: bool, watch: "Stopwatch") -> list[dict[str, float]]:
    """Ten seconds of score, a shot's effects and a 10 s bed, per sound model."""
    from shotgraph.audio.audiogen import AudioGenFoley
    from shotgraph.audio.foley import AmbienceRequest, EffectsRequest
    from shotgraph.audio.music import MusicRequest
    from shotgraph.audio.musicgen import MusicGenScore
    from shotgraph.audio.stable_audio_foley import StableAudioFoley
    from shotgraph.director.plan import FoleyCue

    steps = {"steps": 2} if tiny else {}
    stages = Profile().stages.model_copy(update={
        "music": StageChoice(backend="musicgen", model=str(models["musicgen"])),
        "foley": StageChoice(backend="audiogen", model=str(models["audiogen"])),
    })
    profile = Profile(stages=stages)
    manager = ModelManager(profile.models)
    scene = ScenePlan(id="sc001", mood="tense", lighting="", time_of_day="night", ambience="sea, gulls",
                      music=MusicCue(mood="tense", tempo_bpm=90, instrumentation=["strings"], intensity=0.6))
    shot = Shot(id="sc001-sh01", scene="sc001", size=ShotSize.WIDE, description="x", prompt="x", min_duration=4,
                seed=1, foley=[FoleyCue(what="door slams", at=0.5), FoleyCue(what="Anna laughs", at=2.0)])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        music = MusicGenScore(profile, manager)
        row = run_stage("musicgen", music, [(MusicRequest(scene, 10.0, 48000, 1), out / "m.wav")], 0, watch)
        rows.append({**row, "fps": 10.0 / row["wall s"]})
        for name, backend in (("audiogen", AudioGenFoley(profile, manager)), ("stable-audio", StableAudioFoley(
                Profile(stages=Profile().stages.model_copy(update={"foley": StageChoice(
                    backend="stable-audio", model=str(models["stable-audio"]), **steps)})), manager))):
            watch.wrap((getattr(backend, "model", None) or backend.pipeline)())
            watch.seconds = 0.0
            start = time.perf_counter()
            backend.effects(EffectsRequest(shot, scene, 4.0, 48000, 1), out / f"{name}-e.wav")
            backend.ambience(AmbienceRequest(scene, 10.0, 48000, 1), out / f"{name}-a.wav")
            wall = time.perf_counter() - start
            peak = torch.cuda.max_memory_allocated() / 1024**3 if torch.cuda.is_available() else 0.0
            rows.append({"stage": name, "load s": 0.0, "compute s": watch.seconds, "wall s": wall, "peak GB": peak,
                         "fps": 14.0 / wall, "overhead": wall / max(watch.seconds, 1e-9)})
    return rows


def tiny_models_for(folder: Path) -> dict[str, Path]:
    import tiny_models

    return {"klein": tiny_models.flux2_klein(folder / "klein"), "ltx": tiny_models.ltx(folder / "ltx")}


def profile_for(models: dict[str, Path], upscaler: Path, tiny: bool) -> Profile:
    small = {"generate_width": 64, "generate_height": 32, "max_frames": 9, "steps": 2} if tiny else {}
    stages = Profile().stages.model_copy(update={
        "look": StageChoice(backend="flux2", model=str(models["klein"]), **({"generate_width": 32,
                                                                             "generate_height": 48} if tiny else {})),
        "keyframe": StageChoice(backend="flux2", model=str(models["klein"])),
        "video": StageChoice(backend="ltx", model=str(models["ltx"]), **small),
        "upscale": StageChoice(backend="realesrgan", model=str(upscaler)),
    })
    size = {"width": 128, "height": 72, "fps": 12} if tiny else {"width": 1920, "height": 1080, "fps": 24}
    return Profile(stages=stages, output=Profile().output.model_copy(update=size))


class Stopwatch:
    """Pure model compute: every pipeline or network call, synchronised on the GPU."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, model: object) -> None:
        call = type(model).__call__
        if getattr(call, "stopwatch", None) is self:  # looks and keyframes share one pipeline class
            return

        def timed(this, *args, **kwargs):  # type: ignore[no-untyped-def]
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            start = time.perf_counter()
            try:
                return call(this, *args, **kwargs)
            finally:
                if torch.cuda.is_available():
                    torch.cuda.synchronize()
                self.seconds += time.perf_counter() - start

        timed.stopwatch = self  # type: ignore[attr-defined]
        type(model).__call__ = timed


def run_stage(name: str, backend: object, jobs: list, frames: int, watch: Stopwatch) -> dict[str, float]:
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    load = getattr(backend, "model", None) or getattr(backend, "network", None) or backend.pipeline
    model = load()
    load = time.perf_counter() - start
    watch.wrap(model)
    watch.seconds = 0.0
    start = time.perf_counter()
    for request, out in jobs:
        backend.render(request, out)
    wall = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated() / 1024**3 if torch.cuda.is_available() else 0.0
    return {"stage": name, "load s": load, "compute s": watch.seconds, "wall s": wall, "peak GB": peak,
            "fps": frames / wall if frames else len(jobs) / wall, "overhead": wall / max(watch.seconds, 1e-9)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="tiny models on the CPU: check the script runs")
    args = parser.parse_args()
    if not args.tiny and not torch.cuda.is_available():
        sys.exit("bench/gpu.py needs a CUDA GPU (or --tiny to check it on the CPU)")
    with tempfile.TemporaryDirectory(prefix="shotgraph-gpu-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        models = tiny_models_for(folder) if args.tiny else real_models(folder)
        from shotgraph.stages.realesrgan_nets import RRDBNet

        torch.save({"params_ema": RRDBNet(scale=2).state_dict()}, folder / "x2plus.pth")  # RealESRGAN_x2plus size
        print(f"built random-weight models in {time.perf_counter() - start:.0f} s on "
              f"{torch.cuda.get_device_name() if torch.cuda.is_available() else 'the CPU'}")
        profile = profile_for(models, folder / "x2plus.pth", args.tiny)
        manager = ModelManager(profile.models)
        out = profile.output
        voice = Voice(gender="neutral", age="adult")
        cast = [CharacterPlan(id=c, name=c.upper(), look="a traveller in a coat", voice=voice) for c in ("ann", "bob")]
        scene = ScenePlan(id="sc001", mood="tense", lighting="", time_of_day="night",
                          music=MusicCue(mood="tense", tempo_bpm=90, intensity=0.5), ambience="sea")
        shots = [Shot(id=f"sc001-sh{i + 1:02d}", scene="sc001", size=ShotSize.MEDIUM, characters=["ann", "bob"],
                      description="They wait on the pier.", prompt="two travellers wait on a pier at night",
                      min_duration=s, seed=i) for i, s in enumerate(SHOT_SECONDS)]
        counts = [round(s * out.fps) for s in SHOT_SECONDS]
        watch, rows = Stopwatch(), []

        look = Flux2Look(profile, manager)
        looks = {c.id: folder / f"{c.id}.png" for c in cast}
        rows.append(run_stage("look", look, [(LookRequest(c, i, "film still", 512, 768, i), looks[c.id])
                                             for i, c in enumerate(cast)], 0, watch))
        keyframe = Flux2Keyframe(profile, manager)
        frames = {s.id: folder / f"{s.id}.png" for s in shots}
        rows.append(run_stage("keyframe", keyframe, [(KeyframeRequest(s, scene, "EXT. PIER - NIGHT", tuple(cast),
                                                                      looks, "film still", out.width, out.height),
                                                      frames[s.id]) for s in shots], 0, watch))
        video = LtxVideo(profile, manager)
        clips = {s.id: folder / f"{s.id}.mp4" for s in shots}
        rows.append(run_stage("video", video, [(VideoRequest(s, frames[s.id], n, out.fps, out.width, out.height),
                                                clips[s.id]) for s, n in zip(shots, counts)], sum(counts), watch))
        upscale = RealEsrganUpscale(profile, manager)
        rows.append(run_stage("upscale", upscale, [(UpscaleRequest(clips[s.id], n, out.fps, out.width, out.height,
                                                                   s.id), folder / f"{s.id}.up.mp4")
                                                   for s, n in zip(shots, counts)], sum(counts), watch))
        print(f"{len(shots)} shots, {sum(SHOT_SECONDS):g} s of film at {out.width}x{out.height}, {out.fps} fps")
        picture_models = f"models loaded: {manager.loads}; placements: {manager.placements}; needs: {manager.needs}"
        manager.free_all()
        sound = tiny_sound_models(folder / "sound") if args.tiny else real_sound_models(folder / "sound")
        rows += sound_rows(sound, args.tiny, watch)
        print(f"{'stage':<12} {'load s':>8} {'compute s':>10} {'wall s':>8} {'peak GB':>8} {'fps':>8} {'overhead':>9}")
        for row in rows:
            print(f"{row['stage']:<12} {row['load s']:>8.1f} {row['compute s']:>10.1f} {row['wall s']:>8.1f} "
                  f"{row['peak GB']:>8.1f} {row['fps']:>8.2f} {row['overhead']:>9.3f}")
        print(picture_models)
        print("sound stages: fps is the real-time factor (seconds of audio a second); XTTS is not built here (its "
              "coqui-tts model needs its released vocabulary and config)")


if __name__ == "__main__":
    main()
