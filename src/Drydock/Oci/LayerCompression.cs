namespace Drydock.Oci;

public enum LayerCompression
{
    None,
    Gzip,
    Zstd,
}
