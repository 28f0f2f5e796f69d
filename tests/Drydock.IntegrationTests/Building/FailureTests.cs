namespace Drydock.IntegrationTests.Building;

/// <summary>
/// Whatever goes wrong, drydock exits 1 with one <c>ERROR</c> line naming what and where, prints no
/// digest and leaves no tag behind.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class FailureTests(HttpRegistry server)
{
    [RootFact]
    public async Task A_failing_RUN_names_its_Dockerfile_line_and_exit_code_and_pushes_nothing()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        var (result, reference) = await BuildAsync($"FROM {seeded.Reference}\nRUN echo before > /before.txt\nRUN exit 3\nRUN echo never\n");

        var error = AssertOneError(result, exitCode: 3);
        Assert.Contains("Dockerfile:3", error, StringComparison.Ordinal);
        Assert.Contains("exit code: 3", error, StringComparison.Ordinal);
        Assert.DoesNotContain("never", result.StandardError, StringComparison.Ordinal);
        await new ImageInspector(server).AssertAbsentAsync(reference, $"the build failed\n{result}");
    }

    /// <summary>
    /// The push reaches the first destination and then fails at the second: no tag may name the
    /// image anywhere, because tags are written only once every destination has every blob.
    /// </summary>
    [RootFact]
    public async Task A_push_failing_at_a_later_destination_leaves_no_tag_at_the_earlier_one()
    {
        using var reserved = new RefusingPort();
        var goneHost = reserved.Host;
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var context = new ContextDirectory().Dockerfile($"FROM {seeded.Reference}\nRUN echo pushed > /pushed.txt\n");
        var good = server.Reference(RegistryServer.NewRepository("half") + ":latest").ToString();

        // Without the check before the build, which would refuse the gone host before any push.
        var result = await DrydockRunner.BuildAsync(["--insecure", "--skip-push-permission-check", "--destination", good, "--destination", $"{goneHost}/half:latest", context.Path]);

        var error = AssertOneError(result);
        Assert.Contains(goneHost, error, StringComparison.Ordinal);
        await new ImageInspector(server).AssertAbsentAsync(good, $"the push to {goneHost} failed\n{result}");
    }

    /// <summary>
    /// Without --insecure a plain-HTTP registry fails the TLS handshake; the message's advice (a
    /// per-registry flag, as kaniko has) must be something the command accepts.
    /// </summary>
    [RootFact]
    public async Task A_plain_HTTP_registry_without_insecure_fails_and_the_suggested_flag_works()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var context = new ContextDirectory().Dockerfile($"FROM {seeded.Reference}\n");
        var reference = server.Reference(RegistryServer.NewRepository("plain") + ":latest").ToString();

        var failed = await DrydockRunner.BuildAsync(["--destination", reference, context.Path]);

        var error = AssertOneError(failed);
        Assert.Contains(server.Host, error, StringComparison.Ordinal);
        var suggested = $"--insecure-registry {server.Host}";
        Assert.Contains(suggested, error, StringComparison.Ordinal);

        var result = await DrydockRunner.BuildAsync(["--insecure-registry", server.Host, "--destination", reference, context.Path]);
        Assert.Equal(DrydockRunner.Digest(result), await new ImageInspector(server).DigestAsync(reference));
    }

    [RootFact]
    public async Task A_missing_base_image_names_the_image_and_the_registry_error()
    {
        var missing = server.Reference(RegistryServer.NewRepository("no-such-base") + ":latest").ToString();
        var (result, reference) = await BuildAsync($"FROM {missing}\nRUN true\n");

        var error = AssertOneError(result);
        Assert.Contains("Dockerfile:1", error, StringComparison.Ordinal);
        Assert.Contains(missing, error, StringComparison.Ordinal);
        Assert.True(
            new[] { "MANIFEST_UNKNOWN", "NAME_UNKNOWN", "not found" }.Any(code => error.Contains(code, StringComparison.OrdinalIgnoreCase)),
            $"the registry's error must be named:\n{result}");
        await new ImageInspector(server).AssertAbsentAsync(reference, $"the build failed\n{result}");
    }

    [RootFact]
    public async Task A_missing_tag_of_an_existing_base_repository_names_the_image()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        var missing = $"{seeded.Reference.Name}:no-such-tag";
        var (result, _) = await BuildAsync($"FROM {missing}\n");

        var error = AssertOneError(result);
        Assert.Contains(missing, error, StringComparison.Ordinal);
        Assert.Contains("MANIFEST_UNKNOWN", error, StringComparison.OrdinalIgnoreCase);
    }

    [RootFact]
    public async Task An_unknown_instruction_names_its_line_and_column()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        var (result, reference) = await BuildAsync($"FROM {seeded.Reference}\nRUN true\n  FROBNICATE the build\n");

        var error = AssertOneError(result);
        Assert.Contains("Dockerfile:3:3", error, StringComparison.Ordinal);
        Assert.Contains("FROBNICATE", error, StringComparison.OrdinalIgnoreCase);

        // A syntax error is found before anything is pulled or run.
        Assert.DoesNotContain("Step ", result.StandardError, StringComparison.Ordinal);
        await new ImageInspector(server).AssertAbsentAsync(reference, $"the build failed\n{result}");
    }

    [RootFact]
    public async Task COPY_of_a_missing_file_names_the_line_and_the_file()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        var (result, reference) = await BuildAsync($"FROM {seeded.Reference}\nCOPY present.txt /present.txt\nCOPY missing.txt /missing.txt\n", ("present.txt", "here\n"));

        var error = AssertOneError(result);
        Assert.Contains("Dockerfile:3", error, StringComparison.Ordinal);
        Assert.Contains("missing.txt", error, StringComparison.Ordinal);
        await new ImageInspector(server).AssertAbsentAsync(reference, $"the build failed\n{result}");
    }

    [RootFact]
    public async Task A_build_as_an_ordinary_user_says_it_needs_root_before_doing_anything()
    {
        using var context = new ContextDirectory().Dockerfile("FROM scratch\nCOPY a.txt /a.txt\n").File("a.txt", "a\n");

        // nobody, through util-linux's setpriv; HOME somewhere the runtime may look without failing.
        var result = await DrydockRunner.RunAsync(
            "setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", DrydockRunner.ExecutablePath, "build", "--no-push", context.Path],
            new Dictionary<string, string?> { ["HOME"] = Path.GetTempPath() });

        var error = AssertOneError(result);
        Assert.Contains("drydock build needs root", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Step ", result.StandardError, StringComparison.Ordinal);
    }

    /// <summary>With --context given, nothing is left for a stray word to be taken as: the flag itself must be named.</summary>
    [Fact]
    public async Task An_unknown_flag_is_named()
    {
        using var context = new ContextDirectory().Dockerfile("FROM scratch\n");

        var result = await DrydockRunner.BuildAsync(["--context", context.Path, "--no-push", "--frobnicate"]);

        AssertFlagError(result, "--frobnicate");
    }

    /// <summary>
    /// An unknown flag must not be mistaken for the positional CONTEXT (kaniko/cobra: "unknown flag: --frobnicate").
    /// </summary>
    [Fact]
    public async Task An_unknown_flag_before_the_context_flag_is_named_as_a_flag_not_taken_as_the_context()
    {
        using var context = new ContextDirectory().Dockerfile("FROM scratch\n");

        var result = await DrydockRunner.BuildAsync(["--frobnicate", "--context", context.Path, "--no-push"]);

        AssertFlagError(result, "--frobnicate");
    }

    /// <summary>The flag comes last, so its value is simply missing; the command validator must not trip over it either.</summary>
    [Theory]
    [InlineData("--build-arg", false)]
    [InlineData("--destination", false)]
    [InlineData("--context", true)]
    [InlineData("--dockerfile", false)]
    public async Task A_flag_without_its_value_is_named_not_a_crash(string flag, bool contextIsTheFlag)
    {
        using var context = new ContextDirectory().Dockerfile("FROM scratch\n");
        string[] leading = contextIsTheFlag ? ["--no-push"] : ["--no-push", "--context", context.Path];

        var result = await DrydockRunner.BuildAsync([.. leading, flag]);

        AssertFlagError(result, flag);
    }

    /// <summary>Timers stop at about 49 days: a value past the limit must be a flag error, not a failure of every upload.</summary>
    [Theory]
    [InlineData("1000h")]
    [InlineData("99999999999999999999")]
    [InlineData("0s")]
    [InlineData("soon")]
    public async Task A_stall_timeout_out_of_range_is_a_flag_error(string value)
    {
        using var context = new ContextDirectory().Dockerfile("FROM scratch\n");

        var result = await DrydockRunner.BuildAsync(["--no-push", "--push-stall-timeout", value, context.Path]);

        AssertFlagError(result, "--push-stall-timeout");
        Assert.Contains("from 1ms to 24h", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Neither_a_destination_nor_no_push_is_an_error_that_says_what_to_pass()
    {
        using var context = new ContextDirectory().Dockerfile("FROM scratch\n");

        var result = await DrydockRunner.BuildAsync(["--context", context.Path]);

        AssertFlagError(result, "--destination");
        Assert.Contains("--no-push", result.StandardError, StringComparison.Ordinal);
    }

    /// <summary>Exit 1, one ERROR line, nothing on stdout (which scripts read as the digest).</summary>
    private static string AssertOneError(ToolResult result, int exitCode = 1) => DrydockRunner.AssertOneError(result, exitCode);

    /// <summary>A command-line mistake: the flag named on stderr first, then the common failure contract.</summary>
    private static void AssertFlagError(ToolResult result, string flag)
    {
        Assert.True(result.ExitCode == 1, $"expected exit code 1:\n{result}");
        Assert.True(result.StandardError.Contains(flag, StringComparison.Ordinal), $"stderr must name {flag}:\n{result}");
        var error = AssertOneError(result);
        Assert.Contains(flag, error, StringComparison.Ordinal);
    }

    private async Task<(ToolResult Result, string Reference)> BuildAsync(string dockerfile, params (string Path, string Content)[] files)
    {
        using var context = new ContextDirectory().Dockerfile(dockerfile);
        foreach (var (path, content) in files)
        {
            context.File(path, content);
        }

        var reference = server.Reference(RegistryServer.NewRepository("fail") + ":latest").ToString();
        return (await DrydockRunner.BuildAsync(["--insecure", "--destination", reference, context.Path]), reference);
    }
}
