using System.Text.RegularExpressions;

namespace Drydock.Context.Remote;

/// <summary>
/// Hides the user:password of URLs in instruction text (ADD https://user:token@host/…), which
/// goes into the log and the image's history, where credentials must never appear.
/// </summary>
internal static partial class UrlCredentials
{
    public static string Redact(string text) => UserInfo().Replace(text, "${scheme}xxxxx@");

    [GeneratedRegex(@"(?<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)[^/?#@\s]+@")]
    private static partial Regex UserInfo();
}
