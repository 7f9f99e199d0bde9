"""Tiny random-weight models of the real architectures, saved with save_pretrained: what the model backends
load through their real loading code in the tests (no downloads; sizes from diffusers' own fast tests)."""

from __future__ import annotations

from pathlib import Path

import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast


def tokenizer(vocab: int = 1000, max_length: int = 512) -> PreTrainedTokenizerFast:
    """A word-level tokenizer (any word not in its vocabulary is <unk>), with a chat template for the pipelines
    that call apply_chat_template."""
    words = {"<pad>": 0, "<unk>": 1, "</s>": 2, **{f"w{i}": i + 3 for i in range(vocab - 3)}}
    inner = Tokenizer(models.WordLevel(words, unk_token="<unk>"))
    inner.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=inner, pad_token="<pad>", unk_token="<unk>", eos_token="</s>",
                                   model_max_length=max_length)
    fast.chat_template = "{% for m in messages %}{{ m['content'] }} {% endfor %}"
    return fast


def flux2_klein(folder: Path) -> Path:
    """Flux2KleinPipeline: its text encoder deep enough for the real hidden-state layers (9, 18, 27)."""
    from diffusers import AutoencoderKLFlux2, FlowMatchEulerDiscreteScheduler, Flux2KleinPipeline
    from diffusers import Flux2Transformer2DModel
    from transformers import Qwen3Config, Qwen3ForCausalLM

    torch.manual_seed(0)
    transformer = Flux2Transformer2DModel(
        patch_size=1, in_channels=4, num_layers=1, num_single_layers=1, attention_head_dim=16, num_attention_heads=2,
        joint_attention_dim=48, timestep_guidance_channels=256, axes_dims_rope=[4, 4, 4, 4], guidance_embeds=False)
    text_encoder = Qwen3ForCausalLM(Qwen3Config(
        intermediate_size=16, hidden_size=16, num_hidden_layers=27, num_attention_heads=2, num_key_value_heads=2,
        head_dim=8, vocab_size=1000, max_position_embeddings=1024))
    vae = AutoencoderKLFlux2(
        sample_size=32, in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",),
        up_block_types=("UpDecoderBlock2D",), block_out_channels=(4,), layers_per_block=1, latent_channels=1,
        norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False)
    Flux2KleinPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=text_encoder,
                       tokenizer=tokenizer(), transformer=transformer).save_pretrained(folder)
    return folder


def flux_kontext(folder: Path) -> Path:
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, FluxKontextPipeline, FluxTransformer2DModel
    from transformers import CLIPTextConfig, CLIPTextModel, T5Config, T5EncoderModel

    torch.manual_seed(0)
    transformer = FluxTransformer2DModel(
        patch_size=1, in_channels=4, num_layers=1, num_single_layers=1, attention_head_dim=16, num_attention_heads=2,
        joint_attention_dim=32, pooled_projection_dim=32, axes_dims_rope=[4, 4, 8])
    clip = CLIPTextModel(CLIPTextConfig(
        bos_token_id=0, eos_token_id=2, hidden_size=32, intermediate_size=37, layer_norm_eps=1e-05,
        num_attention_heads=4, num_hidden_layers=2, pad_token_id=1, vocab_size=1000, hidden_act="gelu",
        projection_dim=32))
    t5 = T5EncoderModel(T5Config(vocab_size=1000, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                                 decoder_start_token_id=0))
    vae = AutoencoderKL(
        sample_size=32, in_channels=3, out_channels=3, block_out_channels=(4,), layers_per_block=1,
        latent_channels=1, norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False,
        shift_factor=0.0609, scaling_factor=1.5035)
    FluxKontextPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=clip,
                        tokenizer=tokenizer(max_length=77), text_encoder_2=t5, tokenizer_2=tokenizer(),
                        transformer=transformer).save_pretrained(folder)
    return folder


def ltx(folder: Path) -> Path:
    """LTXConditionPipeline (LTX-Video 0.9.x)."""
    from diffusers import AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXConditionPipeline
    from diffusers import LTXVideoTransformer3DModel
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4, attention_head_dim=8,
        cross_attention_dim=32, num_layers=1, caption_channels=32)
    vae = AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        decoder_inject_noise=(False, False, False, False, False), upsample_residual=(False, False, False, False),
        upsample_factor=(1, 1, 1, 1), timestep_conditioning=False, patch_size=1, patch_size_t=1,
        encoder_causal=True, decoder_causal=False)
    t5 = T5EncoderModel(T5Config(vocab_size=1000, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                                 decoder_start_token_id=0))
    LTXConditionPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=t5,
                         tokenizer=tokenizer(), transformer=transformer).save_pretrained(folder)
    return folder


def wan(folder: Path) -> Path:
    """WanImageToVideoPipeline in the Wan 2.2 A14B shape: two transformers split by boundary_ratio, no image
    encoder."""
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanImageToVideoPipeline, WanTransformer3DModel
    from transformers import UMT5Config, UMT5EncoderModel

    def transformer() -> WanTransformer3DModel:
        torch.manual_seed(0)
        return WanTransformer3DModel(
            patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=36, out_channels=16,
            text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True,
            qk_norm="rms_norm_across_heads", rope_max_seq_len=32)

    torch.manual_seed(0)
    vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                           temperal_downsample=[False, True, True])
    t5 = UMT5EncoderModel(UMT5Config(vocab_size=1000, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                                 decoder_start_token_id=0))
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    WanImageToVideoPipeline(transformer=transformer(), transformer_2=transformer(), vae=vae, scheduler=scheduler,
                            text_encoder=t5, tokenizer=tokenizer(), image_encoder=None, image_processor=None,
                            boundary_ratio=0.875).save_pretrained(folder)
    return folder


def hunyuan(folder: Path) -> Path:
    """HunyuanVideo15ImageToVideoPipeline: Qwen2.5-VL and ByT5 text encoders, a SigLIP image encoder."""
    from diffusers import AutoencoderKLHunyuanVideo15, FlowMatchEulerDiscreteScheduler
    from diffusers import HunyuanVideo15ImageToVideoPipeline, HunyuanVideo15Transformer3DModel
    from diffusers.guiders import ClassifierFreeGuidance
    from transformers import ByT5Tokenizer, Qwen2_5_VLTextConfig, Qwen2_5_VLTextModel, SiglipImageProcessor
    from transformers import SiglipVisionConfig, SiglipVisionModel, T5Config, T5EncoderModel

    torch.manual_seed(0)
    transformer = HunyuanVideo15Transformer3DModel(
        in_channels=9, out_channels=4, num_attention_heads=2, attention_head_dim=8, num_layers=1,
        num_refiner_layers=1, mlp_ratio=2.0, patch_size=1, patch_size_t=1, text_embed_dim=16, text_embed_2_dim=32,
        image_embed_dim=12, rope_axes_dim=(2, 2, 4), target_size=16, task_type="i2v")
    vae = AutoencoderKLHunyuanVideo15(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(16, 16), layers_per_block=1,
        spatial_compression_ratio=4, temporal_compression_ratio=2, downsample_match_channel=False,
        upsample_match_channel=False)
    qwen = Qwen2_5_VLTextModel(Qwen2_5_VLTextConfig(
        bos_token_id=0, eos_token_id=2, pad_token_id=0, hidden_size=16, intermediate_size=16, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=2,
        vocab_size=1000, rope_scaling={"mrope_section": [1, 1, 2], "rope_type": "default", "type": "default"},
        rope_theta=1000000.0))
    byt5 = T5EncoderModel(T5Config(vocab_size=384, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                                   decoder_start_token_id=0))
    siglip = SiglipVisionModel(SiglipVisionConfig(hidden_size=12, intermediate_size=16, num_hidden_layers=1,
                                                  num_attention_heads=2, image_size=28, patch_size=14))
    HunyuanVideo15ImageToVideoPipeline(
        text_encoder=qwen.eval(), tokenizer=tokenizer(max_length=2048), transformer=transformer.eval(),
        vae=vae.eval(), scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0), text_encoder_2=byt5.eval(),
        tokenizer_2=ByT5Tokenizer(), guider=ClassifierFreeGuidance(guidance_scale=1.0), image_encoder=siglip.eval(),
        feature_extractor=SiglipImageProcessor(size={"height": 28, "width": 28})).save_pretrained(folder)
    return folder


def ltx2(folder: Path) -> Path:
    """LTX2ConditionPipeline: video and audio transformer, Gemma 3 text encoder and its connectors, audio VAE and
    vocoder (the audio is made and left out by the backend)."""
    from diffusers import AutoencoderKLLTX2Audio, AutoencoderKLLTX2Video, FlowMatchEulerDiscreteScheduler
    from diffusers import LTX2ConditionPipeline, LTX2VideoTransformer3DModel
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration, Gemma3TextConfig, SiglipVisionConfig

    torch.manual_seed(0)
    text = Gemma3TextConfig(vocab_size=1000, hidden_size=32, intermediate_size=32, num_hidden_layers=2,
                            num_attention_heads=2, num_key_value_heads=1, head_dim=16, max_position_embeddings=512)
    vision = SiglipVisionConfig(hidden_size=16, intermediate_size=16, num_hidden_layers=1, num_attention_heads=2,
                                image_size=28, patch_size=14)
    encoder = Gemma3ForConditionalGeneration(Gemma3Config(text_config=text, vision_config=vision, mm_tokens_per_image=4,
                                                          boi_token_index=3, eoi_token_index=4, image_token_index=5))
    transformer = LTX2VideoTransformer3DModel(
        in_channels=4, out_channels=4, patch_size=1, patch_size_t=1, num_attention_heads=2, attention_head_dim=8,
        cross_attention_dim=16, audio_in_channels=4, audio_out_channels=4, audio_num_attention_heads=2,
        audio_attention_head_dim=4, audio_cross_attention_dim=8, num_layers=2, qk_norm="rms_norm_across_heads",
        caption_channels=32, rope_double_precision=False, rope_type="split")
    connectors = LTX2TextConnectors(
        caption_channels=32, text_proj_in_factor=3, video_connector_num_attention_heads=4,
        video_connector_attention_head_dim=8, video_connector_num_layers=1,
        video_connector_num_learnable_registers=None, audio_connector_num_attention_heads=4,
        audio_connector_attention_head_dim=8, audio_connector_num_layers=1,
        audio_connector_num_learnable_registers=None, connector_rope_base_seq_len=32, rope_theta=10000.0,
        rope_double_precision=False, causal_temporal_positioning=False, rope_type="split")
    vae = AutoencoderKLLTX2Video(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8,), decoder_block_out_channels=(8,),
        layers_per_block=(1,), decoder_layers_per_block=(1, 1), spatio_temporal_scaling=(True,),
        decoder_spatio_temporal_scaling=(True,), decoder_inject_noise=(False, False),
        downsample_type=("spatiotemporal",),  # the encoder compresses time as the decoder expands it
        upsample_residual=(False,), upsample_factor=(1,), timestep_conditioning=False, patch_size=1,
        patch_size_t=1, encoder_causal=True, decoder_causal=False)
    vae.use_framewise_encoding = False
    vae.use_framewise_decoding = False
    audio_vae = AutoencoderKLLTX2Audio(
        base_channels=4, output_channels=2, ch_mult=(1,), num_res_blocks=1, attn_resolutions=None, in_channels=2,
        resolution=32, latent_channels=2, norm_type="pixel", causality_axis="height", dropout=0.0,
        mid_block_add_attention=False, sample_rate=16000, mel_hop_length=160, is_causal=True, mel_bins=8)
    vocoder = LTX2Vocoder(
        in_channels=16, hidden_channels=32, out_channels=2, upsample_kernel_sizes=[4, 4], upsample_factors=[2, 2],
        resnet_kernel_sizes=[3], resnet_dilations=[[1, 3, 5]], leaky_relu_negative_slope=0.1,
        output_sampling_rate=16000)
    LTX2ConditionPipeline(transformer=transformer, vae=vae, audio_vae=audio_vae,
                          scheduler=FlowMatchEulerDiscreteScheduler(), text_encoder=encoder,
                          tokenizer=tokenizer(), connectors=connectors, vocoder=vocoder,
                          audio_scheduler=None).save_pretrained(folder)
    return folder


def musicgen(folder: Path, sampling_rate: int = 32000, ratios: tuple[int, ...] = (8, 5, 4, 4)) -> Path:
    """MusicgenForConditionalGeneration with its tokenizer: T5 text encoder, EnCodec (4 codebooks), decoder."""
    from transformers import EncodecConfig, MusicgenConfig, MusicgenDecoderConfig, MusicgenForConditionalGeneration
    from transformers import T5Config

    torch.manual_seed(0)
    text = T5Config(vocab_size=1000, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4, decoder_start_token_id=0)
    audio = EncodecConfig(sampling_rate=sampling_rate, audio_channels=1, hidden_size=16, num_filters=4,
                          upsampling_ratios=list(ratios), target_bandwidths=[1.2], codebook_size=64, codebook_dim=16,
                          num_residual_layers=1, num_lstm_layers=1)
    decoder = MusicgenDecoderConfig(vocab_size=64, pad_token_id=64, bos_token_id=64, hidden_size=32,
                                    num_hidden_layers=2, num_attention_heads=4, ffn_dim=64, num_codebooks=4,
                                    max_position_embeddings=4096)
    model = MusicgenForConditionalGeneration(MusicgenConfig(text_encoder=text.to_dict(), audio_encoder=audio.to_dict(),
                                                            decoder=decoder.to_dict()))
    model.generation_config.decoder_start_token_id = 64  # the decoder's start and pad token: one past the codebook
    model.generation_config.pad_token_id = 64
    model.save_pretrained(folder)
    tokenizer().save_pretrained(folder)
    return folder


def stable_audio(folder: Path) -> Path:
    """StableAudioPipeline: DiT, Oobleck VAE (800 Hz here, hop 2: 2.56 s at most), T5 and the projection model."""
    from diffusers import AutoencoderOobleck, CosineDPMSolverMultistepScheduler, StableAudioDiTModel
    from diffusers import StableAudioPipeline, StableAudioProjectionModel
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(0)
    transformer = StableAudioDiTModel(
        sample_size=1024, in_channels=3, num_layers=2, attention_head_dim=4, num_key_value_attention_heads=2,
        out_channels=3, cross_attention_dim=4, time_proj_dim=8, global_states_input_dim=8,
        cross_attention_input_dim=4)
    scheduler = CosineDPMSolverMultistepScheduler(solver_order=2, prediction_type="v_prediction", sigma_data=1.0,
                                                  sigma_schedule="exponential")
    vae = AutoencoderOobleck(encoder_hidden_size=6, downsampling_ratios=[1, 2], decoder_channels=3,
                             decoder_input_channels=3, audio_channels=2, channel_multiples=[2, 4], sampling_rate=800)
    t5 = T5EncoderModel(T5Config(vocab_size=1000, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                                 decoder_start_token_id=0))
    projection = StableAudioProjectionModel(text_encoder_dim=32, conditioning_dim=4, min_value=0, max_value=32)
    StableAudioPipeline(transformer=transformer, scheduler=scheduler, vae=vae, text_encoder=t5,
                        tokenizer=tokenizer(max_length=64), projection_model=projection).save_pretrained(folder)
    return folder


def t5_encoder(folder: Path, d_model: int = 24) -> Path:
    """A T5 encoder folder with its tokenizer (stands in for T5-large, AudioGen's text conditioner)."""
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(0)
    T5EncoderModel(T5Config(vocab_size=1000, d_model=d_model, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                            decoder_start_token_id=0)).save_pretrained(folder)
    tokenizer().save_pretrained(folder)
    return folder


def audiocraft_audiogen(folder: Path, text_dim: int = 24) -> Path:
    """AudioGen's two files in audiocraft's own key layout, as read from its modules (seanet.py, conv.py,
    lstm.py, core_vq.py, lm.py, transformer.py), with tiny random tensors: `state_dict.bin` and
    `compression_state_dict.bin`, each under `best_state`."""
    g = torch.Generator().manual_seed(0)

    def rand(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=g) * 0.1

    def conv(prefix: str, c_in: int, c_out: int, k: int, transposed: bool = False) -> dict[str, torch.Tensor]:
        weight = (c_in, c_out, k) if transposed else (c_out, c_in, k)  # weight norm over dim 0 either way
        return {f"{prefix}.weight_g": rand(weight[0], 1, 1), f"{prefix}.weight_v": rand(*weight),
                f"{prefix}.bias": rand(c_out)}

    def resblock(prefix: str, dim: int) -> dict[str, torch.Tensor]:  # act, conv k3, act, conv k1; true_skip
        return {**conv(f"{prefix}.block.1.conv.conv", dim, dim // 2, 3),
                **conv(f"{prefix}.block.3.conv.conv", dim // 2, dim, 1)}

    def lstm(prefix: str, dim: int) -> dict[str, torch.Tensor]:
        return {f"{prefix}.lstm.{name}_l{layer}": rand(4 * dim, dim) if name.startswith("weight") else rand(4 * dim)
                for layer in (0, 1) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}

    nf, dim, ratios, bins, books = 4, 16, [8, 5, 4, 2], 64, 4
    codec: dict[str, torch.Tensor] = conv("encoder.model.0.conv.conv", 1, nf, 7)
    index, mult = 1, 1
    for ratio in reversed(ratios):  # resblock, act, downsampling conv: the encoder takes the ratios reversed
        codec |= resblock(f"encoder.model.{index}", mult * nf)
        codec |= conv(f"encoder.model.{index + 2}.conv.conv", mult * nf, 2 * mult * nf, 2 * ratio)
        index, mult = index + 3, mult * 2
    codec |= lstm(f"encoder.model.{index}", mult * nf)
    codec |= conv(f"encoder.model.{index + 2}.conv.conv", mult * nf, dim, 7)  # after an act
    codec |= conv("decoder.model.0.conv.conv", dim, mult * nf, 7)
    codec |= lstm("decoder.model.1", mult * nf)
    index = 2
    for ratio in ratios:  # act, upsampling transposed conv, resblock
        codec |= conv(f"decoder.model.{index + 1}.convtr.convtr", mult * nf, mult * nf // 2, 2 * ratio, True)
        codec |= resblock(f"decoder.model.{index + 2}", mult * nf // 2)
        index, mult = index + 3, mult // 2
    codec |= conv(f"decoder.model.{index + 1}.conv.conv", nf, 1, 7)  # after an act
    for book in range(books):
        embed = rand(bins, dim)
        codec |= {f"quantizer.vq.layers.{book}._codebook.inited": torch.ones(1),
                  f"quantizer.vq.layers.{book}._codebook.cluster_size": torch.ones(bins),
                  f"quantizer.vq.layers.{book}._codebook.embed": embed,
                  f"quantizer.vq.layers.{book}._codebook.embed_avg": embed.clone()}

    hidden, layers, ffn = 32, 2, 64
    lm: dict[str, torch.Tensor] = {}
    for book in range(books):
        lm[f"emb.{book}.weight"] = rand(bins + 1, hidden)
        lm[f"linears.{book}.weight"] = rand(bins, hidden)
    for layer in range(layers):
        p = f"transformer.layers.{layer}"
        for attention in ("self_attn", "cross_attention"):
            lm[f"{p}.{attention}.in_proj_weight"] = rand(3 * hidden, hidden)
            lm[f"{p}.{attention}.out_proj.weight"] = rand(hidden, hidden)
        lm[f"{p}.linear1.weight"], lm[f"{p}.linear2.weight"] = rand(ffn, hidden), rand(hidden, ffn)
        for norm in ("norm1", "norm2", "norm_cross"):
            lm[f"{p}.{norm}.weight"], lm[f"{p}.{norm}.bias"] = torch.ones(hidden), torch.zeros(hidden)
    lm["out_norm.weight"], lm["out_norm.bias"] = torch.ones(hidden), torch.zeros(hidden)
    lm["condition_provider.conditioners.description.output_proj.weight"] = rand(hidden, text_dim)
    lm["condition_provider.conditioners.description.output_proj.bias"] = rand(hidden)
    folder.mkdir(parents=True, exist_ok=True)
    torch.save({"best_state": lm, "xp.cfg": {"transformer_lm": {"num_heads": 4}}}, folder / "state_dict.bin")
    torch.save({"best_state": codec, "xp.cfg": {"sample_rate": 16000}}, folder / "compression_state_dict.bin")
    return folder


def pocket_tts(folder: Path) -> Path:
    """A pocket-tts config with no weights (random, 11M parameters) and a small local sentencepiece tokenizer;
    returns the YAML to name as the dialogue model."""
    import sentencepiece
    import yaml

    from shotgraph.audio.pocket import configs_folder

    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "corpus.txt"
    corpus.write_text("\n".join(["is it raining out there", "cats and dogs", "then you are not going anywhere",
                                 "fine i will stay for one cup", "only one", "the quick brown fox"] * 20))
    sentencepiece.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(folder / "tokenizer"), vocab_size=40,
                                             character_coverage=1.0, minloglevel=2)
    config = yaml.safe_load((configs_folder() / "english_2m_2026-10.yaml").read_text())
    config["weights_path"] = config["weights_path_without_voice_cloning"] = None
    config["flow_lm"]["lookup_table"].update(n_bins=40, tokenizer_path=str(folder / "tokenizer.model"))
    (folder / "tiny.yaml").write_text(yaml.safe_dump(config))
    return folder / "tiny.yaml"
