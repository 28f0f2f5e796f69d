namespace Drydock.Building;

/// <summary>
/// Something a step needs that the build was not given, named so that whoever started the build
/// can say how to give it (the command line names its flag).
/// </summary>
/// <param name="Kind">What kind of input it is.</param>
/// <param name="Id">The id the Dockerfile asked for.</param>
public sealed record MissingBuildInput(BuildInputKind Kind, string Id);

/// <summary>The inputs a build is given besides its context.</summary>
public enum BuildInputKind
{
    /// <summary>A secret RUN --mount=type=secret reads.</summary>
    Secret,

    /// <summary>An ssh agent RUN --mount=type=ssh forwards.</summary>
    SshAgent,

    /// <summary>A permission the build must be started with (BuildKit's entitlements: <c>security.insecure</c>).</summary>
    Entitlement,

    /// <summary>A confirmation that something destructive is meant (building in place outside a container).</summary>
    Confirmation,
}
