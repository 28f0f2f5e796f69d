using Drydock.Sandbox;

namespace Drydock.Building;

/// <summary>
/// How this build isolates RUN, decided once: chroot (a directory per stage, namespaces) or in
/// place (kaniko's way, over <see cref="Root"/>). In place over the machine's own "/" outside any
/// container is refused unless forced: it would replace the machine's files with the image's.
/// </summary>
/// <param name="InPlace">Whether stages are built over <see cref="Root"/>.</param>
/// <param name="Root">The root in-place builds replace ("/" in production).</param>
internal sealed record IsolationPlan(bool InPlace, string Root)
{
    public Isolation Isolation => InPlace ? Isolation.None : Isolation.Chroot;

    public static async Task<IsolationPlan> DecideAsync(
        Isolation requested, bool force, string root, IsolationProbes probes, IBuildLog log, CancellationToken cancellationToken)
    {
        switch (requested)
        {
            case Isolation.Chroot:
                log.Debug("isolation: chroot, as asked");
                return new IsolationPlan(false, root);
            case Isolation.None:
                var sign = probes.ContainerSign();
                if (sign is null && root == "/" && !force)
                {
                    throw new BuildException(
                        "in-place isolation replaces the files of / with the image's, and no sign of a container was found here " +
                        "(no /.dockerenv, /run/.containerenv, container runtime in /proc/self/cgroup or Kubernetes service); nothing was changed")
                    {
                        Missing = new MissingBuildInput(BuildInputKind.Confirmation, "in-place"),
                    };
                }

                log.Info($"isolation: none (in place over {root}), as asked; {sign ?? "forced outside a container"}");
                return new IsolationPlan(true, root);
            default:
                return await DecideAutoAsync(root, probes, log, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<IsolationPlan> DecideAutoAsync(string root, IsolationProbes probes, IBuildLog log, CancellationToken cancellationToken)
    {
        string? refusal;
        try
        {
            refusal = await probes.NamespacesRefused(cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxException e)
        {
            // The probe could not even start: the chroot sandbox will say why when it is used.
            log.Debug($"isolation: chroot (namespaces could not be probed: {e.Message})");
            return new IsolationPlan(false, root);
        }

        if (refusal is null)
        {
            log.Info("isolation: chroot (namespaces and mounts are allowed here)");
            return new IsolationPlan(false, root);
        }

        if (probes.ContainerSign() is not { } sign)
        {
            // Never in place outside a container on a guess: the chroot sandbox fails with its reason instead.
            log.Warn($"isolation: chroot, though namespaces are refused here ({refusal}): no sign of a container was found, so building in place is not chosen");
            return new IsolationPlan(false, root);
        }

        log.Info($"isolation: none, in place over {root} (namespaces are refused here: {refusal}; in a container: {sign})");
        return new IsolationPlan(true, root);
    }
}
