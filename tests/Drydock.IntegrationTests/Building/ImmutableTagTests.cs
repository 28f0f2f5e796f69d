using System.Net;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// --push-ignore-immutable-tag-errors: a registry that holds a tag immutable refuses to move it
/// (ECR's TAG_INVALID reply, whose words kaniko knows it by); with the flag that destination is a
/// warning and the others are pushed, without it the build fails with one error. No registry this
/// machine runs can hold a tag immutable, so the <see cref="FaultProxy"/> in front of the real
/// registry gives ECR's reply to that one tag's manifest; everything else reaches the registry.
/// The ordinary push of a moved tag is in <see cref="DigestFileTests"/> and PushPermissionTests.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class ImmutableTagTests(HttpRegistry server) : IDisposable
{
    private readonly FaultProxy _proxy = new(server);

    public void Dispose() => _proxy.Dispose();

    [RootFact]
    public async Task With_the_flag_a_refused_immutable_tag_is_a_warning_and_the_other_tags_are_pushed()
    {
        var (repository, result) = await BuildAsync("immutable-ignored", "--push-ignore-immutable-tag-errors");

        var digest = DrydockRunner.Digest(result);
        Assert.Contains($"{_proxy.Host}/{repository}:v1 was not moved: the registry holds the tag immutable", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(digest, await new ImageInspector(server).DigestAsync(server.Reference($"{repository}:v2").ToString()));
        await new ImageInspector(server).AssertAbsentAsync(server.Reference($"{repository}:v1").ToString(), "the proxy refused the tag");
    }

    [RootFact]
    public async Task Without_the_flag_the_refusal_fails_the_build_with_one_error()
    {
        var (_, result) = await BuildAsync("immutable-refused");

        Assert.Contains("cannot be overwritten because the repository is immutable", DrydockRunner.AssertOneError(result), StringComparison.Ordinal);
    }

    private async Task<(string Repository, ToolResult Result)> BuildAsync(string name, params string[] flags)
    {
        var repository = RegistryServer.NewRepository(name);
        _proxy.Faults = request => request.Method == "PUT" && request.Path.EndsWith($"/{repository}/manifests/v1", StringComparison.Ordinal)
            ? new Fault.Status(
                HttpStatusCode.BadRequest,
                ErrorCode: "TAG_INVALID",
                ErrorMessage: $"The image tag 'v1' already exists in the '{repository}' repository and cannot be overwritten because the repository is immutable.")
            : null;
        using var context = new ContextDirectory().Dockerfile("FROM scratch\nCOPY a.txt /\n").File("a.txt", "immutable\n");
        var result = await DrydockRunner.BuildAsync(
            ["--insecure-registry", _proxy.Host, .. flags, "-d", $"{_proxy.Host}/{repository}:v1", "-d", $"{_proxy.Host}/{repository}:v2", context.Path]);
        return (repository, result);
    }
}
