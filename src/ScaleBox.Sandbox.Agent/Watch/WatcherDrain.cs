using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Watch;

/// <summary>What one GetWatcherEvents takes from a watcher: the events, and what was lost since the last drain.</summary>
readonly record struct WatcherDrain(FilesystemEvent[] Events, long Dropped, bool Overflowed);
