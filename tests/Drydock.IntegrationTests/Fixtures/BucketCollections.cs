namespace Drydock.IntegrationTests.Fixtures;

/// <summary>Collections sharing one bucket server per run: <c>[Collection(BucketCollections.S3)]</c> takes an <see cref="S3Server"/>.</summary>
public static class BucketCollections
{
    public const string S3 = "bucket-s3";
    public const string Azure = "bucket-azure";
}

[CollectionDefinition(BucketCollections.S3)]
public sealed class S3Collection : ICollectionFixture<S3Server>;

[CollectionDefinition(BucketCollections.Azure)]
public sealed class AzureCollection : ICollectionFixture<AzuriteServer>;
