namespace Drydock.Sandbox;

/// <summary>How RUN steps are isolated, named as kaniko-compatible <c>--isolation</c> values.</summary>
public enum Isolation
{
    /// <summary><see cref="Chroot"/> where namespaces and mounts are allowed, <see cref="None"/> inside a container that refuses them.</summary>
    Auto,

    /// <summary>Each stage in a directory of its own, each RUN in new namespaces pivoted into it (<see cref="ChrootSandbox"/>).</summary>
    Chroot,

    /// <summary>Kaniko's way: the stage is built over the container's own root and RUN executes there (<see cref="InPlaceSandbox"/>).</summary>
    None,
}
