using System.Security.Cryptography;

namespace Drydock.Oci;

/// <summary>
/// A read-only stream that hashes what passes through and, at the end of the data, fails unless
/// both the size and the digest match the descriptor. A mismatch is always an error.
/// </summary>
public sealed class VerifyingStream : Stream
{
    private readonly Stream _inner;
    private readonly Digest _expected;
    private readonly long _expectedSize;
    private readonly string _what;
    private readonly IncrementalHash _hash;
    private long _read;
    private bool _verified;

    public VerifyingStream(Stream inner, Digest expected, long expectedSize, string what)
    {
        if (expected.Algorithm != "sha256" && expected.Algorithm != "sha512")
        {
            throw new NotSupportedException($"Unsupported digest algorithm in {expected}.");
        }

        _inner = inner;
        _expected = expected;
        _expectedSize = expectedSize;
        _what = what;
        _hash = IncrementalHash.CreateHash(expected.Algorithm == "sha256" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _expectedSize;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // An empty request says nothing about the end of the data (TarReader makes them).
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var n = _inner.Read(buffer);
        Account(buffer[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..n]);
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Account(ReadOnlySpan<byte> data)
    {
        _read += data.Length;
        if (_expectedSize >= 0 && _read > _expectedSize)
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
        if (_expectedSize >= 0 && _read != _expectedSize)
        {
            throw new InvalidDataException($"{_what} is {_read} bytes, but its descriptor states {_expectedSize}.");
        }

        var actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (actual != _expected.Hex)
        {
            throw new InvalidDataException($"{_what} has digest {_expected.Algorithm}:{actual}, expected {_expected}.");
        }
    }
}
