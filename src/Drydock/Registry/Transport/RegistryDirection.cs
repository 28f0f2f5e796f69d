namespace Drydock.Registry.Transport;

/// <summary>
/// Whether a client reads from registries or writes to them. Kaniko's flags come in pairs that
/// set each apart (<c>--insecure-pull</c> / <c>--insecure</c>, <c>--image-download-retry</c> /
/// <c>--push-retry</c>), and mirrors serve pulls only.
/// </summary>
public enum RegistryDirection
{
    Pull,
    Push,
}
