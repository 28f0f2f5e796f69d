using CpuArchitecture = System.Runtime.InteropServices.Architecture;
using RuntimeInformation = System.Runtime.InteropServices.RuntimeInformation;

namespace Drydock.Reference;

/// <summary>
/// An image platform in Go's names (<c>linux/amd64</c>, <c>linux/arm/v7</c>), normalised the way
/// containerd does so that aliases (<c>aarch64</c>, <c>x86_64</c>) and default variants
/// (<c>arm64/v8</c>, <c>arm/v7</c>) compare equal.
/// </summary>
public sealed record Platform
{
    private Platform(string os, string architecture, string? variant)
    {
        Os = os;
        Architecture = architecture;
        Variant = variant;
    }

    public string Os { get; }

    public string Architecture { get; }

    /// <summary>The CPU variant (<c>v7</c>), or null when the architecture has none or its default.</summary>
    public string? Variant { get; }

    /// <summary>Linux on the architecture this process runs on: the default platform of a build.</summary>
    public static Platform Host { get; } = Create("linux", HostArchitecture(), null);

    /// <summary>Makes a normalised platform from its parts.</summary>
    public static Platform Create(string os, string architecture, string? variant = null)
    {
        var (arch, normalizedVariant) = NormalizeArchitecture(architecture.ToLowerInvariant(), string.IsNullOrEmpty(variant) ? null : variant.ToLowerInvariant());
        return new Platform(os.ToLowerInvariant(), arch, normalizedVariant);
    }

    /// <summary>Parses <c>os/arch[/variant]</c>, as given to <c>--platform</c>.</summary>
    public static Platform Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0 || p.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-' and not '.')))
        {
            throw new FormatException($"'{text}' is not a valid platform (expected os/arch[/variant], e.g. linux/amd64 or linux/arm/v7).");
        }

        return Create(parts[0], parts[1], parts.Length == 3 ? parts[2] : null);
    }

    /// <summary>True when an image made for the given os/architecture/variant is exactly this platform.</summary>
    public bool Matches(string? os, string? architecture, string? variant)
    {
        if (string.IsNullOrEmpty(os) || string.IsNullOrEmpty(architecture))
        {
            return false;
        }

        var other = Create(os, architecture, variant);
        return other.Os == Os && other.Architecture == Architecture && (Variant is null || other.Variant == Variant);
    }

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";

    private static (string Architecture, string? Variant) NormalizeArchitecture(string architecture, string? variant) =>
        architecture switch
        {
            "x86_64" or "x86-64" or "amd64" => ("amd64", variant is "v1" ? null : variant),
            "i386" or "i486" or "i586" or "i686" or "x86" or "386" => ("386", variant),
            "aarch64" or "arm64" => ("arm64", variant is "8" or "v8" or "v8.0" ? null : variant),
            "armhf" => ("arm", "v7"),
            "armel" => ("arm", "v6"),
            "arm" => ("arm", variant switch
            {
                null or "7" or "v7" => "v7",
                "5" or "6" or "8" => "v" + variant,
                _ => variant,
            }),
            _ => (architecture, variant),
        };

    private static string HostArchitecture() => RuntimeInformation.OSArchitecture switch
    {
        CpuArchitecture.X64 => "amd64",
        CpuArchitecture.Arm64 => "arm64",
        CpuArchitecture.Arm => "arm",
        CpuArchitecture.Armv6 => "armel",
        CpuArchitecture.X86 => "386",
        CpuArchitecture.Ppc64le => "ppc64le",
        CpuArchitecture.S390x => "s390x",
        CpuArchitecture.RiscV64 => "riscv64",
        CpuArchitecture.LoongArch64 => "loong64",
        var other => other.ToString().ToLowerInvariant(),
    };
}
