using System.Net;
using System.Text;
using Drydock.Registry.Errors;

namespace Drydock.Tests.Registry.Errors;

public sealed class RegistryErrorTests
{
    [Fact]
    public void Parses_the_distribution_error_shape()
    {
        var errors = RegistryError.ParseAll("""
            {"errors":[
              {"code":"UNAUTHORIZED","message":"authentication required","detail":[{"Type":"repository","Name":"app","Action":"push"}]},
              {"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":"latest"}
            ]}
            """u8);

        Assert.Equal(2, errors.Count);
        Assert.Equal("UNAUTHORIZED", errors[0].Code);
        Assert.Equal("authentication required", errors[0].Message);
        Assert.Contains("\"Action\":\"push\"", errors[0].Detail);
        Assert.Equal("latest", errors[1].Detail);
        Assert.Equal("UNAUTHORIZED: authentication required", errors[0].ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html><body>502 Bad Gateway</body></html>")]
    [InlineData("{\"errors\":\"nope\"}")]
    [InlineData("[1,2]")]
    [InlineData("{\"message\":\"other shape\"}")]
    [InlineData("{\"errors\":[")]
    public void Anything_else_gives_no_errors(string body) => Assert.Empty(RegistryError.ParseAll(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void Tolerates_missing_fields() =>
        Assert.Equal(new RegistryError("UNKNOWN", ""), Assert.Single(RegistryError.ParseAll("""{"errors":[{},"x"]}"""u8)));

    [Fact]
    public async Task A_reply_becomes_one_exception_naming_operation_status_and_code()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized)
        {
            Content = new StringContent("""{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"""),
        };

        var error = await ErrorReplies.ToExceptionAsync(response, "pushing blob sha256:abc to 127.0.0.1:5000/app", null, CancellationToken.None);

        Assert.Equal("pushing blob sha256:abc to 127.0.0.1:5000/app: 401 UNAUTHORIZED: authentication required", error.Message);
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.True(error.HasCode("unauthorized"));
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task A_non_json_reply_keeps_status_and_a_short_snippet()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadGateway)
        {
            ReasonPhrase = "Bad Gateway",
            Content = new StringContent("upstream\nconnect error " + new string('x', 500)),
        };

        var error = await ErrorReplies.ToExceptionAsync(response, "pulling manifest x", "a hint", CancellationToken.None);

        Assert.StartsWith("pulling manifest x: 502 Bad Gateway: upstream connect error xxx", error.Message);
        Assert.EndsWith("… (a hint)", error.Message);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task An_html_reply_shows_only_the_status()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("<html>nope</html>") };

        var error = await ErrorReplies.ToExceptionAsync(response, "op", null, CancellationToken.None);

        Assert.Equal("op: 404 Not Found", error.Message);
    }
}
