using Drydock.Dockerfile;
using Drydock.Foundation.GoFormats;

namespace Drydock.Tests.Dockerfile;

/// <summary>Go-compatible details of exec-form JSON and of the AST dump's string quoting.</summary>
public sealed class JsonAndQuoteTests
{
    public static TheoryData<string, string[]> ValidArrays => new()
    {
        { "[]", [] },
        { "[\"\"]", [""] },
        { "[ \t\"a\" ,\t\"b\" ]", ["a", "b"] },
        { "  [\"a\"]", ["a"] },
        // Like Go's json.Decoder (kaniko, BuildKit before frontend 1.10): text after the array is ignored.
        { "[\"a\"] # a comment", ["a"] },
        { "[\"a\"]this is invalid", ["a"] },
        { "[\"a\"] [\"b\"]", ["a"] },
        { "[\"a\"]]] {", ["a"] },
        { "[]random string", [] },
    };

    [Theory]
    [MemberData(nameof(ValidArrays))]
    public void Valid_json_arrays(string text, string[] expected)
    {
        Assert.True(JsonArgs.TryParse(text, out var values));
        Assert.Equal(expected, values);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("[\"a\", {}]")]
    [InlineData("[[\"a\"]]")]
    [InlineData("[true]")]
    [InlineData("[null]")]
    [InlineData("[\"a\", 1] # a comment")]
    public void Non_string_elements_are_errors(string text)
    {
        Assert.Throws<DockerfileException>(() => JsonArgs.TryParse(text, out _));
    }

    [Theory]
    [InlineData("['a']")]
    [InlineData("[\"a\",]")]
    [InlineData("[\"a\" # a comment")]
    [InlineData("[1, \"a\" x]")]
    [InlineData("x [\"a\"]")]
    [InlineData("\"a\"")]
    [InlineData("[01]")]
    [InlineData("[\"a\tb\"]")]
    public void Invalid_json_is_not_json(string text)
    {
        Assert.False(JsonArgs.TryParse(text, out _));
    }

    [Fact]
    public void Escapes_decode_like_go_including_lone_surrogates()
    {
        Assert.True(JsonArgs.TryParse("[\"\\ud83d\\ude00\", \"\\ud800x\", \"\\udc00\", \"\\u00e9\\/\"]", out var values));

        Assert.Equal(["\U0001F600", "\uFFFDx", "\uFFFD", "é/"], values);
    }

    [Fact]
    public void Deep_nesting_beyond_gos_limit_falls_back_to_shell_form()
    {
        Assert.False(JsonArgs.TryParse(new string('[', 10001) + new string(']', 10001), out _));
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("\a\b\f\n\r\t\v", "\"\\a\\b\\f\\n\\r\\t\\v\"")]
    [InlineData("\0\u001f\u007f", "\"\\x00\\x1f\\x7f\"")]
    [InlineData("\u00a0\u2028", "\"\\u00a0\\u2028\"")]
    [InlineData("é♥☃\U0001F600", "\"é♥☃\U0001F600\"")]
    [InlineData("\U000E0001", "\"\\U000e0001\"")]
    public void Quote_follows_go_strconv(string value, string quoted)
    {
        Assert.Equal(quoted, GoStrings.Quote(value));
    }
}
