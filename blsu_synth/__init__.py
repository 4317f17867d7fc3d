"""Synthetic raw extracts in the CBS Remote Access layout for the BL-SU study warehouse."""

from blsu_synth.generator import GENERATOR_VERSION, GeneratorError, Manifest, generate

__version__ = GENERATOR_VERSION
__all__ = ["GeneratorError", "Manifest", "__version__", "generate"]
