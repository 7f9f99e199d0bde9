"""The machine's accelerator: which device runs the models, in what precision, and how much memory it has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shotgraph.errors import ConfigError

GIB = 1024**3


@dataclass(frozen=True)
class Accelerator:
    device: str  # "cuda", "mps" or "cpu"
    name: str  # "NVIDIA H100 80GB HBM3", or the CPU
    total_bytes: int  # device memory; 0 on the CPU (models live in RAM)
    free_bytes: int
    bf16: bool  # bfloat16 runs natively

    @property
    def is_gpu(self) -> bool:
        return self.device != "cpu"


def torch_module() -> Any:
    """torch, or an ImportError that says which extra installs it."""
    try:
        import torch
    except ImportError as exc:
        raise ImportError("model backends need torch: pip install -c constraints.txt 'shotgraph[models]'") from exc
    return torch


def accelerator(wanted: str = "auto") -> Accelerator:
    """The device a model backend runs on: `wanted`, or with "auto" CUDA, then Apple's MPS, then the CPU."""
    torch = torch_module()
    if wanted in ("auto", "cuda") and torch.cuda.is_available():
        free, total = torch.cuda.mem_get_info()
        return Accelerator("cuda", torch.cuda.get_device_name(), total, free, torch.cuda.is_bf16_supported())
    if wanted == "cuda":
        raise ConfigError("models.device = 'cuda' but torch sees no CUDA GPU (torch " + torch.__version__ + ")")
    if wanted in ("auto", "mps") and getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        total = torch.mps.recommended_max_memory()
        return Accelerator("mps", "Apple GPU", total, total - torch.mps.current_allocated_memory(), True)
    if wanted == "mps":
        raise ConfigError("models.device = 'mps' but torch sees no Apple GPU")
    return Accelerator("cpu", "CPU", 0, 0, False)


def dtype_for(choice: str, device: Accelerator) -> Any:
    """The torch dtype a stage's `dtype` setting names; "auto" is bfloat16 on a GPU that has it, else float32."""
    torch = torch_module()
    if choice == "auto":
        return torch.bfloat16 if device.is_gpu and device.bf16 else (torch.float16 if device.is_gpu else torch.float32)
    return {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}[choice]


def is_out_of_memory(exc: BaseException) -> bool:
    """A GPU allocation that failed (CUDA or MPS), as opposed to any other error."""
    torch = torch_module()
    if isinstance(exc, torch.OutOfMemoryError):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()  # MPS says it this way


def release_memory() -> None:
    """Give freed blocks back to the device, so the next model sees them."""
    import gc

    gc.collect()
    torch = torch_module()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    elif getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        torch.mps.empty_cache()
