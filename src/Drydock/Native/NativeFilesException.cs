using System.Runtime.InteropServices;

namespace Drydock.Native;

/// <summary>A failed libc file-system call: says which call, on which path, and the errno text.</summary>
public sealed class NativeFilesException : IOException
{
    public NativeFilesException(string operation, string path, int errno)
        : base($"{operation} '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Operation = operation;
        Path = path;
        Errno = errno;
    }

    public NativeFilesException()
    {
        Operation = "";
        Path = "";
    }

    public NativeFilesException(string message)
        : base(message)
    {
        Operation = "";
        Path = "";
    }

    public NativeFilesException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = "";
        Path = "";
    }

    public string Operation { get; }

    public string Path { get; }

    public int Errno { get; }

    /// <summary>The caller lacks the privilege (EPERM) or the file system refuses the operation (EOPNOTSUPP).</summary>
    public bool IsNotPermitted => Errno is NativeFiles.EPERM or NativeFiles.EOPNOTSUPP or NativeFiles.EACCES;

    /// <summary>A rename(2) across file systems (EXDEV): the entry must be copied instead.</summary>
    public bool IsCrossDevice => Errno == NativeFiles.EXDEV;
}
