// Keras's callbacks for torch.Model (docs/callbacks.md).
export { SummaryWriter, TensorBoard } from './tensorboard';
export type { TensorBoardOptions } from './tensorboard';
