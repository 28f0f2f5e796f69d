using Drydock.Context.Remote;

namespace Drydock.Tests.Context.Remote;

public sealed class UrlCredentialsTests
{
    [Theory]
    [InlineData("ADD https://user:s3cret@example.com/a.tgz /a", "ADD https://xxxxx@example.com/a.tgz /a")]
    [InlineData("ADD https://token@git.example.com/r.git#main /src", "ADD https://xxxxx@git.example.com/r.git#main /src")]
    [InlineData("ADD git@github.com:org/repo.git /src", "ADD git@github.com:org/repo.git /src")]
    [InlineData("COPY a@b /c", "COPY a@b /c")]
    [InlineData("ADD https://u:tok@h/r.git?ref=v1&subdir=d /src", "ADD https://xxxxx@h/r.git?ref=v1&subdir=d /src")]
    [InlineData("ADD git://h?ref=a@b /src", "ADD git://h?ref=a@b /src")]
    [InlineData("ADD http://example.com/x http://u:p@h/y /d/", "ADD http://example.com/x http://xxxxx@h/y /d/")]
    public void Userinfo_in_urls_is_hidden(string text, string expected)
    {
        Assert.Equal(expected, UrlCredentials.Redact(text));
    }
}
