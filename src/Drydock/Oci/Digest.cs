using System.Security.Cryptography;

namespace Drydock.Oci;

/// <summary>A content digest such as <c>sha256:ab12…</c>. Only sha256 and sha512 are accepted.</summary>
public readonly record struct Digest
{
    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    public string Algorithm { get; }

    public string Hex { get; }

    public static Digest Parse(string text)
    {
        if (!TryParse(text, out var digest))
        {
            throw new FormatException($"'{text}' is not a valid digest (expected sha256:<64 hex digits>).");
        }

        return digest;
    }

    public static bool TryParse(string? text, out Digest digest)
    {
        digest = default;
        var colon = text?.IndexOf(':') ?? -1;
        if (colon <= 0)
        {
            return false;
        }

        var algorithm = text![..colon];
        var hex = text[(colon + 1)..];
        var expectedLength = algorithm switch
        {
            "sha256" => 64,
            "sha512" => 128,
            _ => -1,
        };
        if (hex.Length != expectedLength || !hex.All(char.IsAsciiHexDigitLower))
        {
            return false;
        }

        digest = new Digest(algorithm, hex);
        return true;
    }

    public static Digest Sha256(ReadOnlySpan<byte> data) => FromSha256Hash(SHA256.HashData(data));

    /// <summary>Wraps a finished SHA-256 hash value.</summary>
    public static Digest FromSha256Hash(ReadOnlySpan<byte> hash) =>
        new("sha256", Convert.ToHexStringLower(hash));

    public override string ToString() => Algorithm is null ? "" : $"{Algorithm}:{Hex}";
}
