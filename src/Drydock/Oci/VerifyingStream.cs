using System.Security.Cryptography;
using Drydock.Foundation.Streams;

namespace Drydock.Oci;

/// <summary>
/// A read-only stream that hashes what passes through and, at the end of the data, fails unless
/// both the size and the digest match the descriptor. A mismatch is always an error.
/// </summary>
public sealed class VerifyingStream : ObservingReadStream
{
    private readonly Digest _expected;
    private readonly long _expectedSize;
    private readonly string _what;
    private readonly IncrementalHash _hash;
    private bool _verified;

    public VerifyingStream(Stream inner, Digest expected, long expectedSize, string what)
        : base(inner, leaveOpen: false)
    {
        if (expected.Algorithm != "sha256" && expected.Algorithm != "sha512")
        {
            throw new NotSupportedException($"Unsupported digest algorithm in {expected}.");
        }

        _expected = expected;
        _expectedSize = expectedSize;
        _what = what;
        _hash = IncrementalHash.CreateHash(expected.Algorithm == "sha256" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512);
    }

    public override long Length => _expectedSize;

    protected override void Observe(ReadOnlySpan<byte> data)
    {
        if (_expectedSize >= 0 && BytesRead > _expectedSize)
        {
            throw new InvalidDataException($"{_what} is larger than the {_expectedSize} bytes its descriptor states.");
        }

        if (data.Length > 0)
        {
            _hash.AppendData(data);
            return;
        }

        if (_verified)
        {
            return;
        }

        _verified = true;
        if (_expectedSize >= 0 && BytesRead != _expectedSize)
        {
            throw new InvalidDataException($"{_what} is {BytesRead} bytes, but its descriptor states {_expectedSize}.");
        }

        var actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (actual != _expected.Hex)
        {
            throw new InvalidDataException($"{_what} has digest {_expected.Algorithm}:{actual}, expected {_expected}.");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
