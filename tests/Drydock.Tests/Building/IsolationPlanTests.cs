using Drydock.Building;
using Drydock.Sandbox;

namespace Drydock.Tests.Building;

/// <summary>How the isolation is chosen, against made-up machines: nothing here looks at or changes this one.</summary>
public sealed class IsolationPlanTests
{
    private const string InContainer = "/.dockerenv exists";
    private const string Refused = "unshare(mount, pid, ipc, uts namespaces): operation not permitted";

    [Fact]
    public async Task Auto_picks_chroot_where_namespaces_are_allowed()
    {
        var plan = await DecideAsync(Isolation.Auto, refusal: null, container: InContainer);
        Assert.False(plan.InPlace);
    }

    [Fact]
    public async Task Auto_picks_in_place_where_namespaces_are_refused_in_a_container_and_says_why()
    {
        var log = new BuildScenario.Log();
        var plan = await DecideAsync(Isolation.Auto, Refused, InContainer, log: log);
        Assert.True(plan.InPlace);
        Assert.Equal("/", plan.Root);
        var line = Assert.Single(log.Lines, l => l.StartsWith("isolation:", StringComparison.Ordinal));
        Assert.Contains(Refused, line, StringComparison.Ordinal);
        Assert.Contains(InContainer, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_never_builds_in_place_outside_a_container()
    {
        var plan = await DecideAsync(Isolation.Auto, Refused, container: null);
        Assert.False(plan.InPlace);
    }

    [Fact]
    public async Task Auto_keeps_chroot_when_the_probe_cannot_start()
    {
        var probes = new IsolationProbes(_ => throw new SandboxException("launcher missing"), () => InContainer);
        var plan = await IsolationPlan.DecideAsync(Isolation.Auto, force: false, "/", probes, new BuildScenario.Log(), CancellationToken.None);
        Assert.False(plan.InPlace);
    }

    [Fact]
    public async Task None_outside_a_container_is_refused_with_a_confirmation_to_give()
    {
        var e = await Assert.ThrowsAsync<BuildException>(() => DecideAsync(Isolation.None, refusal: null, container: null));
        Assert.Equal(new MissingBuildInput(BuildInputKind.Confirmation, "in-place"), e.Missing);
        Assert.Contains("nothing was changed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task None_is_allowed_in_a_container_when_forced_and_over_another_root()
    {
        Assert.True((await DecideAsync(Isolation.None, null, InContainer)).InPlace);
        Assert.True((await DecideAsync(Isolation.None, null, container: null, force: true)).InPlace);
        Assert.True((await DecideAsync(Isolation.None, null, container: null, root: "/tmp/throwaway")).InPlace);
    }

    [Fact]
    public async Task Chroot_is_taken_as_asked_without_probing()
    {
        var probes = new IsolationProbes(_ => throw new InvalidOperationException("no probe expected"), () => throw new InvalidOperationException("no probe expected"));
        var plan = await IsolationPlan.DecideAsync(Isolation.Chroot, force: false, "/", probes, new BuildScenario.Log(), CancellationToken.None);
        Assert.False(plan.InPlace);
    }

    private static Task<IsolationPlan> DecideAsync(Isolation requested, string? refusal, string? container, bool force = false, string root = "/", BuildScenario.Log? log = null) =>
        IsolationPlan.DecideAsync(
            requested, force, root, new IsolationProbes(_ => Task.FromResult(refusal), () => container), log ?? new BuildScenario.Log(), CancellationToken.None);
}
