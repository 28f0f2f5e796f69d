namespace Drydock.IntegrationTests.Building;

/// <summary>
/// <c>RUN --security=insecure</c>, BuildKit's privileged step: refused unless the build allows the
/// security.insecure entitlement, and then only that step runs unconfined.
/// </summary>
public sealed class InsecureRunTests
{
    private const string Dockerfile = RunBuildContexts.BusyboxStage + """
        WORKDIR /out
        RUN --security=insecure grep -E '^(CapEff|Seccomp):' /proc/self/status > insecure
        RUN grep -E '^(CapEff|Seccomp):' /proc/self/status > confined

        """;

    [RootFact]
    public async Task Without_the_entitlement_the_step_ends_the_build_and_says_how_to_allow_it()
    {
        using var context = RunBuildContexts.WithBusybox(Dockerfile);

        var result = await DrydockRunner.BuildAsync(["--no-push", context.Path]);

        Assert.StartsWith("ERROR Dockerfile:5:1: RUN: --security=insecure is not allowed", DrydockRunner.AssertOneError(result), StringComparison.Ordinal);
        Assert.Contains("allow it: --allow security.insecure", result.StandardError, StringComparison.Ordinal);
    }

    [RootTheory]
    [InlineData("security.insecure")]
    [InlineData("insecure")]
    public async Task With_the_entitlement_only_that_step_runs_unconfined_and_the_log_says_so(string entitlement)
    {
        using var context = RunBuildContexts.WithBusybox(Dockerfile);
        using var work = new TempDirectory("drydock-e2e-insecure-");

        var result = await DrydockRunner.BuildAsync(
            ["--no-push", "--allow", entitlement, "--destination", "localhost/insecure:t", "--oci-layout-path", work.Combine("layout"), context.Path]);

        DrydockRunner.Digest(result);
        Assert.Contains("Dockerfile:5:1: RUN --security=insecure: this step runs unconfined", result.StandardError, StringComparison.Ordinal);
        var image = await ImageInspector.UnpackLayoutAsync(work.Combine("layout"), "t", work.Combine("bundle"));
        var builderCapabilities = File.ReadLines("/proc/self/status").Single(line => line.StartsWith("CapEff:", StringComparison.Ordinal));
        Assert.Equal($"{builderCapabilities}\nSeccomp:\t0\n", await File.ReadAllTextAsync(image.HostPath("/out/insecure")));
        Assert.Equal("CapEff:\t00000000a80425fb\nSeccomp:\t2\n", await File.ReadAllTextAsync(image.HostPath("/out/confined")));
    }

    [RootFact]
    public async Task An_unknown_entitlement_is_refused_before_building()
    {
        using var context = RunBuildContexts.WithBusybox(Dockerfile);

        var result = await DrydockRunner.BuildAsync(["--no-push", "--allow", "network.admin", context.Path]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--allow 'network.admin' is not an entitlement Drydock knows: use security.insecure", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Step 1", result.StandardError, StringComparison.Ordinal);
    }
}
