using System.Text.RegularExpressions;

namespace Drydock.Reference;

/// <summary>
/// A parsed, fully normalised image reference, following Docker's rules: <c>busybox</c> means
/// <c>docker.io/library/busybox:latest</c>. Instances are always valid; build them with <see cref="Parse"/>.
/// </summary>
/// <remarks>
/// The digest stays a string here because this folder sits below <c>Oci</c> and must not name it;
/// the registry layer turns it into an <c>Oci.Digest</c>. Its form is still checked on parsing.
/// </remarks>
public sealed partial record ImageReference
{
    /// <summary>The canonical name of Docker Hub, as references spell it.</summary>
    public const string DockerHub = "docker.io";

    /// <summary>The host that serves Docker Hub's registry API.</summary>
    public const string DockerHubApiHost = "registry-1.docker.io";

    public const string DefaultTag = "latest";

    private const int MaxNameLength = 255;

    private ImageReference(string registry, string repository, string? tag, string? digest)
    {
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The registry as written, normalised (<c>docker.io</c>, <c>127.0.0.1:5000</c>).</summary>
    public string Registry { get; }

    /// <summary>The repository path inside the registry (<c>library/busybox</c>).</summary>
    public string Repository { get; }

    /// <summary>The tag; null when only a digest was given.</summary>
    public string? Tag { get; }

    /// <summary>The digest (<c>sha256:…</c>) when the reference pins one.</summary>
    public string? Digest { get; }

    /// <summary><c>registry/repository</c>, without tag or digest.</summary>
    public string Name => $"{Registry}/{Repository}";

    /// <summary>The host (and port) that serves this registry's API.</summary>
    public string ApiHost => ApiHostOf(Registry);

    /// <summary>What goes after <c>/manifests/</c>: the digest when there is one, else the tag.</summary>
    public string Identifier => Digest ?? Tag ?? DefaultTag;

    public static ImageReference Parse(string text) =>
        TryParse(text, out var reference, out var error)
            ? reference
            : throw new FormatException($"'{text}' is not a valid image reference: {error}.");

    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ImageReference? reference) =>
        TryParse(text, out reference, out _);

    public static bool TryParse(
        string? text,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ImageReference? reference,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        reference = null;
        error = Validate(text, out var registry, out var repository, out var tag, out var digest);
        if (error is not null)
        {
            return false;
        }

        reference = new ImageReference(registry!, repository!, tag, digest);
        return true;
    }

    /// <summary>The same repository at another tag; a digest is dropped because the tag now decides.</summary>
    public ImageReference WithTag(string tag) =>
        TagPattern().IsMatch(tag)
            ? new ImageReference(Registry, Repository, tag, null)
            : throw new FormatException($"'{tag}' is not a valid tag.");

    /// <summary>The same repository pinned to a digest; the tag is kept for readability (<c>name:tag@digest</c>).</summary>
    public ImageReference WithDigest(string digest) =>
        DigestError(digest) is { } error
            ? throw new FormatException($"'{digest}' is not a valid digest: {error}.")
            : new ImageReference(Registry, Repository, Tag, digest);

    /// <summary>
    /// Maps the aliases of Docker Hub (<c>index.docker.io</c>, <c>registry-1.docker.io</c>) to
    /// <c>docker.io</c> and lower-cases the host, so registries compare as equal however written.
    /// </summary>
    public static string NormalizeRegistry(string registry)
    {
        var lower = registry.ToLowerInvariant();
        return lower is "index.docker.io" or DockerHubApiHost or DockerHub ? DockerHub : lower;
    }

    /// <summary>The host that serves the API of a registry (Docker Hub's differs from its name).</summary>
    public static string ApiHostOf(string registry) =>
        NormalizeRegistry(registry) == DockerHub ? DockerHubApiHost : registry;

    public override string ToString() =>
        $"{Registry}/{Repository}{(Tag is null ? "" : ":" + Tag)}{(Digest is null ? "" : "@" + Digest)}";

    private static string? Validate(string? text, out string? registry, out string? repository, out string? tag, out string? digest)
    {
        registry = repository = tag = digest = null;
        if (string.IsNullOrEmpty(text))
        {
            return "it is empty";
        }

        if (AnchoredHex64().IsMatch(text))
        {
            return "a 64-character hexadecimal string is an image ID, not a repository name";
        }

        var name = text;
        var at = name.IndexOf('@');
        if (at >= 0)
        {
            digest = name[(at + 1)..];
            name = name[..at];
            if (DigestError(digest) is { } digestError)
            {
                return digestError;
            }
        }

        // A colon after the last slash starts the tag; one before it belongs to host:port.
        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
            if (!TagPattern().IsMatch(tag))
            {
                return $"'{tag}' is not a valid tag (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-')";
            }
        }

        // Docker's rule: the first component is a registry only if it looks like a host.
        var slash = name.IndexOf('/');
        string remainder;
        if (slash < 0 || !LooksLikeHost(name[..slash]))
        {
            registry = DockerHub;
            remainder = name;
        }
        else
        {
            registry = name[..slash];
            remainder = name[(slash + 1)..];
            if (!DomainPattern().IsMatch(registry))
            {
                return $"'{registry}' is not a valid registry host";
            }

            if (NormalizeRegistry(registry) == DockerHub)
            {
                registry = DockerHub;
            }
        }

        if (registry == DockerHub && !remainder.Contains('/'))
        {
            remainder = "library/" + remainder;
        }

        if (remainder.Length == 0)
        {
            return "the repository name is empty";
        }

        if (!remainder.Equals(remainder.ToLowerInvariant(), StringComparison.Ordinal))
        {
            return "repository name must be lowercase";
        }

        if (!PathPattern().IsMatch(remainder))
        {
            return $"'{remainder}' is not a valid repository name (lowercase letters and digits separated by '.', '_', '__' or '-', components joined by '/')";
        }

        if (registry.Length + 1 + remainder.Length > MaxNameLength)
        {
            return $"the repository name must not be longer than {MaxNameLength} characters";
        }

        repository = remainder;
        if (tag is null && digest is null)
        {
            tag = DefaultTag;
        }

        return null;
    }

    private static bool LooksLikeHost(string component) =>
        component.Contains('.') || component.Contains(':') || component == "localhost" ||
        !component.Equals(component.ToLowerInvariant(), StringComparison.Ordinal);

    private static string? DigestError(string digest)
    {
        var colon = digest.IndexOf(':');
        if (colon <= 0)
        {
            return $"'{digest}' is not a digest (expected sha256:<64 hex digits>)";
        }

        var hex = digest[(colon + 1)..];
        var expected = digest[..colon] switch
        {
            "sha256" => 64,
            "sha512" => 128,
            _ => -1,
        };
        if (expected < 0)
        {
            return $"unsupported digest algorithm '{digest[..colon]}' (sha256 and sha512 are supported)";
        }

        return hex.Length == expected && hex.All(char.IsAsciiHexDigitLower)
            ? null
            : $"'{digest}' is not a valid {digest[..colon]} digest ({expected} lowercase hex digits expected)";
    }

    [GeneratedRegex("^[a-f0-9]{64}$")]
    private static partial Regex AnchoredHex64();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$")]
    private static partial Regex DomainPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex PathPattern();
}
