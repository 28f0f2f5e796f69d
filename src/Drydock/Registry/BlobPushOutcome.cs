namespace Drydock.Registry;

/// <summary>What pushing one blob took.</summary>
public enum BlobPushOutcome
{
    /// <summary>The repository already had it (HEAD said so); nothing was sent.</summary>
    AlreadyExists,

    /// <summary>The registry linked it from another repository (cross-repository mount); nothing was sent.</summary>
    Mounted,

    /// <summary>Sent in one PUT.</summary>
    Uploaded,

    /// <summary>Sent in several PATCH chunks, then committed with a PUT.</summary>
    UploadedInChunks,

    /// <summary>Uploaded while it was still being written (<see cref="EarlyBlobUploads"/>); nothing was sent at push time.</summary>
    Streamed,
}
