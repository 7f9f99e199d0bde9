"""AudioGen's published audiocraft checkpoint converted into transformers' MusicGen classes.

AudioGen is MusicGen's language model (4 codebooks, delay pattern) conditioned on T5-large text, over a 16 kHz
EnCodec (SEANet ratios 8, 5, 4, 2: 50 frames a second). audiocraft pins torch 2.1 and cannot be installed beside
current torch, so its two files are read as plain state dicts and renamed here:

- `state_dict.bin` (`best_state`): the LM. `emb.K` -> `embed_tokens.K`, `transformer.layers.N.*` with fused
  `in_proj_weight` split into q/k/v, `linear1/2` -> `fc1/2`, `norm1/norm2/norm_cross` -> the layer norms,
  `out_norm`, `linears.K` -> `lm_heads.K`, and the text conditioner's `output_proj` (1024 -> dim) ->
  `enc_to_dec_proj`. The T5 encoder itself is not in the file (audiocraft loads it from the hub): it comes from
  a T5-large folder or repo.
- `compression_state_dict.bin` (`best_state`): SEANet `encoder.model.N` / `decoder.model.N` (convs wrapped twice,
  `conv.conv` and `convtr.convtr`, with weight norm's `weight_g`/`weight_v`; LSTMs as `lstm`), and
  `quantizer.vq.layers.K._codebook.*` -> transformers' EncodecModel with the same layer indices.

The key layout follows audiocraft's modules (seanet.py, conv.py, lstm.py, core_vq.py, lm.py, transformer.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from shotgraph.errors import ConfigError

AUDIOGEN_RATE = 16000
AUDIOGEN_RATIOS = [8, 5, 4, 2]


def _load(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(state dict, training config) of an audiocraft file."""
    import torch

    try:
        package = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ConfigError(f"{path}: not a checkpoint torch can read safely ({type(exc).__name__}: {exc})") from None
    state = package.get("best_state", package) if isinstance(package, dict) else None
    if not isinstance(state, dict) or not state:
        raise ConfigError(f"{path}: no state dict in it (expected audiocraft's 'best_state')")
    config = package.get("xp.cfg", {}) if isinstance(package, dict) else {}
    return state, dict(config) if isinstance(config, dict) else {}


def lm_state(state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(decoder state dict for MusicgenForCausalLM, enc_to_dec_proj state dict) from audiocraft's LM."""
    hidden = state["emb.0.weight"].shape[1]
    decoder: dict[str, Any] = {}
    projection: dict[str, Any] = {}
    renames = [("transformer.", "model.decoder."), ("cross_attention", "encoder_attn"), ("linear1", "fc1"),
               ("linear2", "fc2"), ("norm_cross", "encoder_attn_layer_norm"), ("norm1", "self_attn_layer_norm"),
               ("norm2", "final_layer_norm")]
    for key, value in state.items():
        if key.startswith("condition_provider.conditioners.description.output_proj."):
            projection[key.rsplit(".", 1)[1]] = value
            continue
        if key.startswith("condition_provider."):
            continue  # other conditioners hold no weights AudioGen uses
        if key.startswith("emb."):
            key = "model.decoder.embed_tokens." + key[len("emb."):]
        elif key.startswith("out_norm."):
            key = "model.decoder.layer_norm." + key[len("out_norm."):]
        elif key.startswith("linears."):
            key = "lm_heads." + key[len("linears."):]
        else:
            for old, new in renames:
                key = key.replace(old, new)
        if key.endswith("in_proj_weight"):
            base = key[: -len("in_proj_weight")]
            decoder[base + "q_proj.weight"] = value[:hidden]
            decoder[base + "k_proj.weight"] = value[hidden: 2 * hidden]
            decoder[base + "v_proj.weight"] = value[2 * hidden:]
        else:
            decoder[key] = value
    if not projection:
        raise ConfigError("the LM has no text conditioner projection (condition_provider.conditioners."
                          "description.output_proj): not an AudioGen/MusicGen checkpoint")
    return decoder, projection


_SEANET = re.compile(r"^(encoder|decoder)\.model\.(\d+)\.(.*)$")


def codec_state(state: dict[str, Any]) -> dict[str, Any]:
    """transformers EncodecModel state dict from audiocraft's compression model."""
    out: dict[str, Any] = {}
    for key, value in state.items():
        if key.startswith("quantizer.vq.layers."):
            out[key.replace("quantizer.vq.layers.", "quantizer.layers.").replace("._codebook.", ".codebook.")] = value
            continue
        match = _SEANET.match(key)
        if not match:
            raise ConfigError(f"compression model key {key!r} is not SEANet or RVQ: not an EnCodec checkpoint")
        side, index, rest = match.groups()
        rest = rest.replace("convtr.convtr.", "conv.").replace("conv.conv.", "conv.")
        rest = rest.replace("weight_g", "parametrizations.weight.original0")
        rest = rest.replace("weight_v", "parametrizations.weight.original1")
        out[f"{side}.layers.{index}.{rest}"] = value
    return out


def codec_config(state: dict[str, Any]) -> Any:
    """The EncodecConfig the compression state dict describes (16 kHz, ratios 8, 5, 4, 2)."""
    from transformers import EncodecConfig

    first = state["encoder.model.0.conv.conv.weight_v"]
    books = sorted({int(k.split(".")[3]) for k in state if k.startswith("quantizer.vq.layers.")})
    bins, dim = state["quantizer.vq.layers.0._codebook.embed"].shape
    lstm_layers = len({k for k in state if re.search(r"\.lstm\.weight_ih_l\d+$", k) and k.startswith("encoder")})
    residual = len({k.split(".")[2] for k in state if k.startswith("encoder.") and ".block." in k})
    frame_rate = AUDIOGEN_RATE / (8 * 5 * 4 * 2)
    return EncodecConfig(
        sampling_rate=AUDIOGEN_RATE, audio_channels=first.shape[1], hidden_size=dim, num_filters=first.shape[0],
        upsampling_ratios=AUDIOGEN_RATIOS, num_residual_layers=residual // len(AUDIOGEN_RATIOS),
        num_lstm_layers=lstm_layers, codebook_size=bins, codebook_dim=dim, use_conv_shortcut=False,
        use_causal_conv=False, norm_type="weight_norm", pad_mode="constant",
        target_bandwidths=[len(books) * frame_rate * (bins.bit_length() - 1) / 1000])


def convert(lm_file: Path, compression_file: Path, t5_folder: Path, out: Path) -> Path:
    """Write a MusicgenForConditionalGeneration folder (with T5-large's tokenizer) for the `audiogen` backend."""
    from transformers import (AutoTokenizer, EncodecModel, MusicgenDecoderConfig, MusicgenForCausalLM,
                              MusicgenForConditionalGeneration, T5EncoderModel)

    lm_raw, lm_config = _load(lm_file)
    decoder_state, projection = lm_state(lm_raw)
    hidden = decoder_state["model.decoder.embed_tokens.0.weight"].shape[1]
    books = sum(1 for k in decoder_state if k.startswith("model.decoder.embed_tokens."))
    layers = 1 + max(int(k.split(".")[3]) for k in decoder_state if k.startswith("model.decoder.layers."))
    card = decoder_state["lm_heads.0.weight"].shape[0]
    config = MusicgenDecoderConfig(
        vocab_size=card, hidden_size=hidden, num_hidden_layers=layers,
        num_attention_heads=lm_config.get("transformer_lm", {}).get("num_heads", hidden // 64),  # 64 per head
        ffn_dim=decoder_state["model.decoder.layers.0.fc1.weight"].shape[0], num_codebooks=books,
        pad_token_id=card, bos_token_id=card, tie_word_embeddings=False)
    decoder = MusicgenForCausalLM(config).eval()
    missing, unexpected = decoder.load_state_dict(decoder_state, strict=False)
    missing = [k for k in missing if not k.endswith("embed_positions.weights")]  # sinusoidal, not stored
    if missing or unexpected:
        raise ConfigError(f"{lm_file}: the LM does not match MusicGen's decoder (missing {missing[:5]}, "
                          f"unexpected {unexpected[:5]})")
    codec_raw, _ = _load(compression_file)
    try:
        renamed = codec_state(codec_raw)
    except ConfigError as exc:
        raise ConfigError(f"{compression_file}: {exc}") from None
    codec = EncodecModel(codec_config(codec_raw)).eval()
    try:
        codec.load_state_dict(renamed, strict=True)
    except RuntimeError as exc:
        raise ConfigError(f"{compression_file}: the compression model does not match EnCodec: {exc}") from None
    model = MusicgenForConditionalGeneration(text_encoder=T5EncoderModel.from_pretrained(t5_folder),
                                             audio_encoder=codec, decoder=decoder)
    if not hasattr(model, "enc_to_dec_proj"):  # transformers drops it when the widths agree; audiocraft does not
        raise ConfigError(f"{t5_folder}: its text encoder is as wide as the LM; AudioGen's conditioner projects "
                          "T5-large's 1024 features, so this is not the text encoder it was trained with")
    model.enc_to_dec_proj.load_state_dict(projection)
    model.generation_config.decoder_start_token_id = card
    model.generation_config.pad_token_id = card
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(t5_folder).save_pretrained(out)
    return out
