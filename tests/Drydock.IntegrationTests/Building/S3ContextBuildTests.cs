namespace Drydock.IntegrationTests.Building;

/// <summary>
/// An s3:// context through the real CLI, from s3rver with path-style addressing and the
/// credentials, region and endpoint from the environment: the same image as the directory context
/// it was archived from, with and without --context-sub-path.
/// </summary>
[Collection(BucketCollections.S3)]
public sealed class S3ContextBuildTests(S3Server s3) : IDisposable
{
    private readonly ContextSourceBuild _build = new("drydock-s3-build-");

    public void Dispose() => _build.Dispose();

    [RootFact]
    public async Task An_s3_context_builds_what_the_directory_builds_with_and_without_a_sub_path()
    {
        var tree = _build.SampleTree("tree");
        await s3.PutAsync("ci/ctx.tar.gz", await _build.TarAsync(tree, "ctx.tar.gz", "--gzip"));
        var context = $"s3://{S3Server.Bucket}/ci/ctx.tar.gz";

        Assert.Equal(await ContextSourceBuild.DigestAsync(["--context", tree]), await ContextSourceBuild.DigestAsync(["--context", context], s3.Environment()));
        Assert.Equal(
            await ContextSourceBuild.DigestAsync(["--context", tree, "--context-sub-path", "sub"]),
            await ContextSourceBuild.DigestAsync(["--context", context, "--context-sub-path", "sub"], s3.Environment()));

        var missing = DrydockRunner.AssertOneError(await ContextSourceBuild.BuildAsync(["--context", context, "--context-sub-path", "nope"], s3.Environment()));
        Assert.Equal($"ERROR build context {context} has no directory nope (the context sub-path)", missing);
    }
}
