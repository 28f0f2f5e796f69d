using Drydock.Building;
using Drydock.Cache;

namespace Drydock.Tests.Building.Caching;

/// <summary>
/// Whole builds in-process with the layer cache in an OCI layout (<c>oci:DIR</c>): a rebuild runs
/// nothing and gives the same image; what waits for the files while they are not unpacked (VOLUME's
/// directories) lands where an uncached build puts it; a mistyped <c>--from</c> still says what
/// was tried. Against a real registry: the integration tests' LayerCacheBuildTests.
/// </summary>
public sealed class CachedBuildTests
{
    private static Func<BuildOptions, BuildOptions> Cached(BuildScenario scenario) => options => options with
    {
        Reproducible = true,
        LayerCache = new LayerCacheOptions("oci:" + Path.Combine(scenario.ContextPath, "..", "layer-cache")) { CopyLayers = true },
    };

    [RootFact]
    public async Task A_rebuild_runs_nothing_and_gives_the_same_image()
    {
        using var scenario = new BuildScenario("""
            FROM scratch
            WORKDIR /app
            COPY a.txt ./
            RUN make
            ENV MODE=release
            RUN make install
            """).File("a.txt", "a\n");

        var first = await scenario.BuildAsync(Cached(scenario));
        var ran = scenario.Sandbox.Requests.Count;
        var second = await scenario.BuildAsync(Cached(scenario));

        Assert.Equal(2, ran);
        Assert.Equal(ran, scenario.Sandbox.Requests.Count);
        Assert.Equal(first.Digest, second.Digest);
        Assert.Equal(4, scenario.BuildLog.Lines.Count(l => l.EndsWith("[CACHED]", StringComparison.Ordinal)));
    }

    /// <summary>
    /// VOLUME after a cached step makes its directory only once a later step that missed needs
    /// the files: it then lands in that step's layer, as it does in a build without a cache.
    /// </summary>
    [RootFact]
    public async Task A_volume_waiting_for_the_files_lands_where_an_uncached_build_puts_it()
    {
        const string dockerfile = """
            FROM scratch
            COPY a.txt /a.txt
            VOLUME /data
            COPY b.txt /b.txt
            """;
        using var scenario = new BuildScenario(dockerfile).File("a.txt", "a\n").File("b.txt", "b\n");
        await scenario.BuildAsync(Cached(scenario));
        scenario.File("b.txt", "b, changed\n");

        var cached = await scenario.BuildAsync(Cached(scenario));
        using var uncachedScenario = new BuildScenario(dockerfile).File("a.txt", "a\n").File("b.txt", "b, changed\n");
        var uncached = await uncachedScenario.BuildAsync(options => options with { Reproducible = true });

        Assert.Contains(scenario.BuildLog.Lines, l => l.EndsWith("COPY a.txt /a.txt [CACHED]", StringComparison.Ordinal));
        Assert.Contains(scenario.BuildLog.Lines, l => l.EndsWith("COPY b.txt /b.txt [cache miss]", StringComparison.Ordinal));
        Assert.Equal(uncached.Digest, cached.Digest);
    }

    [RootFact]
    public async Task A_mistyped_from_says_it_is_neither_a_stage_nor_an_image()
    {
        using var scenario = new BuildScenario("""
            FROM scratch AS tools
            COPY a.txt /a.txt
            FROM scratch
            COPY --from=tools! /a.txt /a.txt
            """).File("a.txt", "a\n");

        var error = await Assert.ThrowsAsync<BuildException>(() => scenario.BuildAsync(Cached(scenario)));

        Assert.Contains("--from=tools! is neither a stage of this Dockerfile nor an image that could be pulled", error.Message, StringComparison.Ordinal);
    }
}
