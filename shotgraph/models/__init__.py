"""Model weights and the machine they run on: where a model's files are (hub, cache or local folder), the device
and precision, and the model manager that loads each model once per run and places it within the GPU's memory.

Everything here imports torch and the Hugging Face libraries lazily: the draft crew never loads them.
"""
