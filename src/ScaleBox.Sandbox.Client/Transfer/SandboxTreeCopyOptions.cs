namespace ScaleBox.Sandbox.Client.Transfer
{
    /// <summary>How a directory copy treats existing files, and how it transfers each file.</summary>
    public sealed class SandboxTreeCopyOptions
    {
        /// <summary>
        /// Replace files that already exist at the destination. Without it each such file is a
        /// Failed outcome with <see cref="SandboxTransferReason.AlreadyExists"/>; directories are always merged.
        /// </summary>
        public bool Overwrite { get; set; }

        /// <summary>Resume and hashing settings for each downloaded file; null uses the defaults.</summary>
        public SandboxDownloadOptions? Download { get; set; }

        /// <summary>Hashing settings for each uploaded file; null uses the defaults.</summary>
        public SandboxUploadOptions? Upload { get; set; }
    }
}
