namespace Drydock.IntegrationTests.Building;

/// <summary>
/// RUN --mount=type=cache across builds: what one build leaves in the cache the next one finds,
/// and concurrent builds (separate drydock processes) honour sharing=locked and sharing=private.
/// </summary>
public sealed class RunCacheMountTests : IDisposable
{
    private readonly TempDirectory _work = new("drydock-e2e-run-cache-");

    [RootFact]
    public async Task Cache_content_persists_between_builds_and_never_lands_in_a_layer()
    {
        using var context = RunBuildContexts.WithBusybox(RunBuildContexts.BusyboxStage + """
            RUN --mount=type=cache,target=/var/cache/app --mount=target=/src sh -c 'cat /src/note >> /var/cache/app/log && wc -l < /var/cache/app/log | tr -d " " > /count'

            """).File("note", "a line from the context\n");

        Assert.Equal("1\n", await BuildAndReadAsync(context, "first", "/count"));
        Assert.Equal("2\n", await BuildAndReadAsync(context, "second", "/count"));

        var cacheDirectory = Assert.Single(Directory.GetDirectories(_work.Combine("run-cache")));
        Assert.Equal("a line from the context\na line from the context\n", await File.ReadAllTextAsync(Path.Combine(cacheDirectory, "log")));
        var entries = (await ImageInspector.LayerEntriesAsync(_work.Combine("second"), "t")).SelectMany(layer => layer);
        Assert.DoesNotContain(entries, entry => entry.StartsWith("var", StringComparison.Ordinal) || entry.StartsWith("src", StringComparison.Ordinal));
    }

    [RootTheory]
    [InlineData("locked", "1,2")]
    [InlineData("private", "1,1")]
    public async Task Concurrent_builds_share_a_cache_as_its_sharing_mode_says(string sharing, string expectedCounts)
    {
        // The first RUN is a rendezvous (a shared cache both builds write to), so the counting RUNs
        // of the two builds surely overlap, whatever the load on the machine.
        using var context = RunBuildContexts.WithBusybox(RunBuildContexts.BusyboxStage + $$"""
            RUN --mount=type=cache,id=rendezvous,target=/r sh -c 'mktemp /r/XXXXXX >/dev/null; i=0; while [ $(ls /r | wc -l) -lt 2 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done'
            RUN --mount=type=cache,id=counter,target=/c,sharing={{sharing}} sh -c 'echo run >> /c/log && sleep 1 && wc -l < /c/log | tr -d " " > /count'

            """);

        var counts = await Task.WhenAll(BuildAndReadAsync(context, sharing + "-a", "/count"), BuildAndReadAsync(context, sharing + "-b", "/count"));

        Assert.Equal(expectedCounts, string.Join(',', counts.Select(c => c.Trim()).Order(StringComparer.Ordinal)));
    }

    public void Dispose() => _work.Dispose();

    private async Task<string> BuildAndReadAsync(ContextDirectory context, string name, string imagePath)
    {
        var layout = _work.Combine(name);
        var result = await DrydockRunner.BuildAsync(
            ["--no-push", "--destination", "localhost/run-cache:t", "--oci-layout-path", layout, "--run-cache-dir", _work.Combine("run-cache"), context.Path]);
        DrydockRunner.Digest(result);
        var image = await ImageInspector.UnpackLayoutAsync(layout, "t", _work.Combine(name + "-bundle"));
        return await File.ReadAllTextAsync(image.HostPath(imagePath));
    }
}
