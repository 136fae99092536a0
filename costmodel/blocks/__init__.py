"""Built-in blocks. Importing this package registers every block in :data:`BLOCKS`."""

from costmodel.blocks import (  # noqa: F401  (registration)
    attention,
    conv_bn_act,
    fire,
    ghost,
    inverted_residual,
    mbconv,
    mixed_conv,
    mobileone,
    multi_query,
    residual,
    sandglass,
    shuffle_units,
    squeeze_excitation,
    transformer,
    uib,
)
from costmodel.blocks.base import BLOCKS, BlockDef

__all__ = ["BLOCKS", "BlockDef"]
