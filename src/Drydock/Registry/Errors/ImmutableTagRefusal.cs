namespace Drydock.Registry.Errors;

/// <summary>
/// Registries' refusals to move a tag their repository holds immutable. They share no error code
/// (ECR answers TAG_INVALID, Artifact Registry its own), so like kaniko this knows them by the
/// words of their messages.
/// </summary>
public static class ImmutableTagRefusal
{
    private static readonly string[] KnownMessages =
    [
        "The repository has enabled tag immutability", // Google Artifact Registry
        "cannot be overwritten because the repository is immutable", // Amazon ECR
    ];

    /// <summary>True when the registry refused a manifest because its tag may not move.</summary>
    public static bool Is(RegistryException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return KnownMessages.Any(known =>
            exception.Message.Contains(known, StringComparison.Ordinal)
            || exception.Errors.Any(e => e.Detail?.Contains(known, StringComparison.Ordinal) == true));
    }
}
