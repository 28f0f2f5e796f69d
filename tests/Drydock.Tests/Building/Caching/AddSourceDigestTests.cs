using System.Net;
using Drydock.Building.Caching;
using Drydock.Cache;
using Drydock.Dockerfile;
using Drydock.Tests.Building.Copy;

namespace Drydock.Tests.Building.Caching;

/// <summary>
/// The source digests of ADD: local sources as COPY, URLs by --checksum or by the validators of a
/// HEAD request (never a download), git repositories by the commit their ref names.
/// </summary>
public sealed class AddSourceDigestTests : IDisposable
{
    private const string Checksum = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private readonly CopyScenario _scenario = new();
    private readonly SourceDigester _digester = new();
    private readonly List<string> _requests = [];

    public void Dispose() => _scenario.Dispose();

    [Fact]
    public async Task A_url_is_known_by_its_etag_and_never_downloaded()
    {
        var etag = "\"v1\"";
        using var server = Serve(context => context.Response.AddHeader("ETag", etag));
        var line = $"ADD http://{server.Host}/files/tool.tar.gz /opt/";

        var first = await DigestAsync(line);
        var same = await DigestAsync(line);
        etag = "\"v2\"";
        var changed = await DigestAsync(line);

        Assert.NotNull(first);
        Assert.Equal(first.Digest, same!.Digest);
        Assert.NotEqual(first.Digest, changed!.Digest);
        Assert.Equal($"http://{server.Host}/files/tool.tar.gz changed", SourceChanges.Describe(first.Files, changed.Files));
        Assert.Equal(["HEAD /files/tool.tar.gz", "HEAD /files/tool.tar.gz", "HEAD /files/tool.tar.gz"], _requests);
    }

    [Fact]
    public async Task A_url_is_known_by_its_last_modified_time()
    {
        var modified = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        using var server = Serve(context => context.Response.AddHeader("Last-Modified", modified.ToString("R")));
        var line = $"ADD http://{server.Host}/f /f";

        var first = await DigestAsync(line);
        modified = modified.AddMinutes(1);

        Assert.NotEqual(first!.Digest, (await DigestAsync(line))!.Digest);
    }

    [Fact]
    public async Task A_url_without_validators_is_not_cached()
    {
        using var server = Serve(_ => { });

        Assert.Null(await DigestAsync($"ADD http://{server.Host}/f /f"));
        Assert.Contains(_scenario.Warnings, w => w.Contains("neither an ETag nor a Last-Modified", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_url_answering_the_head_with_an_error_is_not_cached()
    {
        using var server = Serve(context => context.Response.StatusCode = 404);

        Assert.Null(await DigestAsync($"ADD http://{server.Host}/f /f"));
    }

    [Fact]
    public async Task A_checksum_is_the_identity_and_nothing_is_asked()
    {
        using var server = Serve(context => context.Response.AddHeader("ETag", "\"x\""));

        var digest = await DigestAsync($"ADD --checksum={Checksum} http://{server.Host}/f /f");

        Assert.Equal(Checksum, digest!.Files.Single().Digest.ToString());
        Assert.Empty(_requests);
    }

    [Fact]
    public async Task Credentials_in_a_url_never_reach_the_digest()
    {
        using var server = Serve(context => context.Response.AddHeader("ETag", "\"x\""));

        var digest = await DigestAsync($"ADD http://user:s3cret@{server.Host}/f /f");

        Assert.Equal($"http://{server.Host}/f", digest!.Files.Single().Path);
    }

    [Fact]
    public async Task Local_sources_count_as_in_copy_and_archives_by_their_content()
    {
        var archive = _scenario.Context.File("app.tar", "not really a tar");
        _scenario.Context.File("conf/a.conf", "a");
        var before = await DigestAsync("ADD app.tar conf /opt/");

        File.WriteAllText(archive, "another");
        var after = await DigestAsync("ADD app.tar conf /opt/");

        Assert.Equal(["app.tar", "conf", "conf/a.conf"], before!.Files.Select(f => f.Path));
        Assert.Equal("app.tar changed", SourceChanges.Describe(before.Files, after!.Files));
    }

    [Fact]
    public async Task A_git_source_is_known_by_the_commit_its_ref_names()
    {
        await using var git = await ServedGitRepositories.StartAsync();
        var first = await git.CommitAsync("repo", "README", "one");
        var line = $"ADD {git.Url("repo")}#main /src";

        var before = await DigestAsync(line);
        var same = await DigestAsync(line);
        await git.CommitAsync("repo", "README", "two");
        var after = await DigestAsync(line);
        var pinned = await DigestAsync($"ADD {git.Url("repo")}#{first} /src");
        var kept = await DigestAsync($"ADD --keep-git-dir=true {git.Url("repo")}#{first} /src");

        Assert.Equal(before!.Digest, same!.Digest);
        Assert.NotEqual(before.Digest, after!.Digest);
        Assert.Equal($"{git.Url("repo")}#main", before.Files.Single().Path);
        Assert.Equal(before.Files.Single().Digest, pinned!.Files.Single().Digest);
        Assert.NotEqual(pinned.Digest, kept!.Digest);
    }

    [Fact]
    public async Task A_git_checksum_is_the_identity_and_the_repository_is_not_asked()
    {
        // Nothing listens on port 9 (discard): asking the repository would fail.
        var digest = await DigestAsync("ADD --checksum=0123abcd git://127.0.0.1:9/repo.git#main /src");

        Assert.NotNull(digest);
    }

    [Fact]
    public async Task An_unreachable_git_repository_is_not_cached()
    {
        Assert.Null(await DigestAsync("ADD git://127.0.0.1:9/repo.git#main /src"));
    }

    private Task<SourceDigest?> DigestAsync(string line) =>
        _digester.DigestAddAsync(CopyScenario.Parse<AddInstruction>(line), _scenario.ContextSource, _scenario.Work, new DebugLog(_scenario.Warnings), sshAuthSocket: null, CancellationToken.None);

    private HttpStubServer Serve(Action<HttpListenerContext> headers) => new(context =>
    {
        lock (_requests)
        {
            _requests.Add($"{context.Request.HttpMethod} {context.Request.Url!.AbsolutePath}");
        }

        headers(context);
        return Task.CompletedTask;
    });

    /// <summary>Keeps debug lines too, where the digester says why a source is not cached.</summary>
    private sealed class DebugLog(List<string> lines) : Drydock.Building.IBuildLog
    {
        public void Info(string message) => lines.Add(message);

        public void Warn(string message) => lines.Add(message);

        public void Debug(string message) => lines.Add(message);

        public void Output(string line) => lines.Add(line);
    }
}
