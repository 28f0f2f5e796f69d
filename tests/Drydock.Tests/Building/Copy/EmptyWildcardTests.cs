using Drydock.Context;

namespace Drydock.Tests.Building.Copy;

/// <summary>
/// BuildKit allows a wildcard source that matches nothing (AllowEmptyWildcard) while another
/// source copies something; only when nothing at all matches is it an error.
/// </summary>
public sealed class EmptyWildcardTests : IDisposable
{
    private readonly CopyScenario _scenario = new();

    public void Dispose() => _scenario.Dispose();

    // kaniko's Dockerfile_test_copy: the one file matched becomes the destination, as in BuildKit and kaniko.
    [RootFact]
    public async Task An_empty_wildcard_beside_a_file_copies_the_file()
    {
        _scenario.Context.File("context/foo", "foo");

        await _scenario.CopyAsync("COPY context/doesnotexist* context/foo hello");

        Assert.Equal("foo", File.ReadAllText(_scenario.Image("/hello")));
    }

    [RootFact]
    public async Task An_empty_wildcard_beside_a_directory_destination_copies_into_it()
    {
        _scenario.Context.File("context/foo", "foo");
        _scenario.Context.File("context/bar", "bar");

        await _scenario.CopyAsync("COPY context/nothing* context/foo context/b* /dir/");

        Assert.Equal(["bar", "foo"], _scenario.Listing("/dir"));
    }

    [RootFact]
    public async Task An_empty_wildcard_beside_a_heredoc_is_no_error()
    {
        await _scenario.CopyAsync("COPY nothing* <<EOF /dir/inline\nx\nEOF");

        Assert.Equal(["inline"], _scenario.Listing("/dir"));
    }

    [RootFact]
    public async Task Wildcards_that_all_match_nothing_fail_naming_every_source()
    {
        _scenario.Context.File("context/foo");

        var error = await Assert.ThrowsAsync<BuildContextException>(() => _scenario.CopyAsync("COPY nothing* none?.txt /dir/"));

        Assert.StartsWith("no source files were specified: \"nothing*\" matches nothing", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"none?.txt\"", error.Message, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task One_wildcard_matching_nothing_keeps_its_own_message()
    {
        var error = await Assert.ThrowsAsync<BuildContextException>(() => _scenario.CopyAsync("COPY nothing* /dir/"));

        Assert.StartsWith("no source files were specified: \"nothing*\" matches nothing in the build context", error.Message, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_missing_plain_source_fails_even_beside_a_match()
    {
        _scenario.Context.File("context/foo");

        var error = await Assert.ThrowsAsync<BuildContextException>(() => _scenario.CopyAsync("COPY context/foo context/missing /dir/"));

        Assert.Contains("stat context/missing: file does not exist", error.Message, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_stage_source_allows_empty_wildcards_too()
    {
        using var stage = new TempDirectory("drydock-stage-");
        Directory.CreateDirectory(Path.Combine(stage, "out"));
        File.WriteAllText(Path.Combine(stage, "out/app"), "app");

        await _scenario.CopyAsync("COPY --from=builder /out/*.so /out/app /bin/", from: FileSource.ForRootfs(stage));

        Assert.Equal(["app"], _scenario.Listing("/bin"));
    }

    [RootFact]
    public async Task Add_allows_an_empty_wildcard_beside_a_file()
    {
        _scenario.Context.File("context/foo", "foo");

        await _scenario.AddAsync("ADD context/doesnotexist* context/foo /dir/");

        Assert.Equal(["foo"], _scenario.Listing("/dir"));
    }

    [RootFact]
    public async Task Add_fails_when_no_source_matches()
    {
        var error = await Assert.ThrowsAsync<BuildContextException>(() => _scenario.AddAsync("ADD nothing* /dir/"));

        Assert.StartsWith("no source files were specified", error.Message, StringComparison.Ordinal);
    }
}
