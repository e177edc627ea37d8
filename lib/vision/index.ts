import * as transforms from './transforms';
import * as datasets from './datasets';
import * as io from './idx';

export { transforms, datasets, io };
