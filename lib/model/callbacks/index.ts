// Keras's callbacks for torch.Model (docs/callbacks.md).
export { SummaryWriter, TensorBoard } from './tensorboard';
export type { TensorBoardOptions } from './tensorboard';
export { ProgressBar } from './progress';
export type { ProgressBarOptions } from './progress';
export { EarlyStopping, ModelCheckpoint, BackupAndRestore, LearningRateScheduler, ReduceLROnPlateau, CSVLogger, formatFilepath } from './keras';
export type { EarlyStoppingOptions, ModelCheckpointOptions, ReduceLROnPlateauOptions } from './keras';
